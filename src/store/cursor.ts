import { createHmac, createSecretKey, type KeyObject, timingSafeEqual } from 'node:crypto';
import type { z } from 'zod';
import { CursorError } from '../errors/client.js';

const VERSION = 'v1';
const MAX_CURSOR_LENGTH = 4_096;
/** About 2 MB at most: the cursors of the catalog's busiest pages. */
const MAX_REMEMBERED_MACS = 5_000;

/**
 * Opaque, HMAC-SHA256-signed cursors. The payload (a DynamoDB start key, or one per shard) is
 * readable base64url JSON; the MAC covers it together with a binding string (field, arguments,
 * viewer) that is not in the cursor, so a cursor used anywhere else fails verification.
 * Plain HMAC rather than a JWS: it is shorter, and no claim or header processing is needed.
 */
export class CursorCodec {
  /** A KeyObject: createHmac then takes the key as it is, with no copy of a buffer each time. */
  readonly #secret: KeyObject;
  readonly #sign: boolean;
  /**
   * MACs already computed, by signed message (binding and body): a catalog page's cursors are
   * the same for every shopper, and a lookup costs a fraction of an HMAC. Oldest out first.
   */
  readonly #macs = new Map<string, string>();
  readonly #maxMacs: number;

  /** `sign: false` only for the benchmark's feature runs (what the MACs cost): never served. */
  constructor(secret: string, options: { sign?: boolean; rememberMacs?: number } = {}) {
    if (secret.length < 16) throw new Error('cursor secret too short');
    this.#secret = createSecretKey(Buffer.from(secret, 'utf8'));
    this.#sign = options.sign ?? true;
    this.#maxMacs = options.rememberMacs ?? MAX_REMEMBERED_MACS;
  }

  encode(binding: string, payload: unknown): string {
    const body = Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
    if (!this.#sign) return `${VERSION}.${body}.`;
    const message = `${binding}\n${body}`;
    const mac = this.#macs.get(message) ?? this.#remember(message, this.#hmac(message));
    return `${VERSION}.${body}.${mac}`;
  }

  /** Verifies before it parses: a bad cursor throws a CursorError and nothing reaches DynamoDB. */
  decode<T>(binding: string, cursor: string, schema: z.ZodType<T>): T {
    if (cursor.length > MAX_CURSOR_LENGTH) throw new CursorError();
    const parts = cursor.split('.');
    if (parts.length !== 3 || parts[0] !== VERSION) throw new CursorError();
    const [, body, mac] = parts as [string, string, string];
    if (this.#sign) this.#verify(`${binding}\n${body}`, mac);
    let json: unknown;
    try {
      json = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    } catch {
      throw new CursorError();
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw new CursorError();
    return parsed.data;
  }

  /** How many MACs are remembered now (tests). */
  rememberedMacs(): number {
    return this.#macs.size;
  }

  /**
   * Compares the MAC as sent with the one this codec issues (its canonical base64url), in
   * constant time. Only a message that verified is remembered: a client sending made-up cursors
   * cannot push real pages' MACs out.
   */
  #verify(message: string, mac: string): void {
    const remembered = this.#macs.get(message);
    const expected = remembered ?? this.#hmac(message);
    const given = Buffer.from(mac, 'utf8');
    const wanted = Buffer.from(expected, 'utf8');
    if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) {
      throw new CursorError();
    }
    if (remembered === undefined) this.#remember(message, expected);
  }

  #remember(message: string, mac: string): string {
    if (this.#maxMacs <= 0) return mac;
    if (this.#macs.size >= this.#maxMacs) {
      const oldest = this.#macs.keys().next().value;
      if (oldest !== undefined) this.#macs.delete(oldest);
    }
    this.#macs.set(message, mac);
    return mac;
  }

  /** One update for the whole message: each call into the native HMAC costs more than its bytes. */
  #hmac(message: string): string {
    return createHmac('sha256', this.#secret).update(message).digest('base64url');
  }
}

/** A canonical string for what a cursor is bound to; key order does not matter. */
export function cursorBinding(
  field: string,
  args: Record<string, unknown>,
  viewerId: string | null = null,
): string {
  const canonical = Object.keys(args)
    .filter((name) => name !== 'after' && name !== 'first' && args[name] != null)
    .sort()
    .map((name) => [name, args[name]]);
  return JSON.stringify([field, canonical, viewerId]);
}
