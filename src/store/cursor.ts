import {
  createHmac,
  createSecretKey,
  type Hmac,
  type KeyObject,
  timingSafeEqual,
} from 'node:crypto';
import type { z } from 'zod';
import { CursorError } from '../errors/client.js';

const VERSION = 'v1';
const MAX_CURSOR_LENGTH = 4_096;

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

  /** `sign: false` only for the benchmark's feature runs (what the MACs cost): never served. */
  constructor(secret: string, options: { sign?: boolean } = {}) {
    if (secret.length < 16) throw new Error('cursor secret too short');
    this.#secret = createSecretKey(Buffer.from(secret, 'utf8'));
    this.#sign = options.sign ?? true;
  }

  encode(binding: string, payload: unknown): string {
    const body = Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
    if (!this.#sign) return `${VERSION}.${body}.`;
    return `${VERSION}.${body}.${this.#hmac(binding, body).digest('base64url')}`;
  }

  /** Verifies before it parses: a bad cursor throws a CursorError and nothing reaches DynamoDB. */
  decode<T>(binding: string, cursor: string, schema: z.ZodType<T>): T {
    if (cursor.length > MAX_CURSOR_LENGTH) throw new CursorError();
    const parts = cursor.split('.');
    if (parts.length !== 3 || parts[0] !== VERSION) throw new CursorError();
    const [, body, mac] = parts as [string, string, string];
    if (this.#sign) this.#verify(binding, body, mac);
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

  #verify(binding: string, body: string, mac: string): void {
    const given = Buffer.from(mac, 'base64url');
    const expected = this.#hmac(binding, body).digest();
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new CursorError();
    }
  }

  /**
   * The MAC of `binding`, a newline and `body`, in one update: on a page of cursors each call into
   * the native HMAC costs more than its bytes (encode also takes the digest as base64url directly).
   */
  #hmac(binding: string, body: string): Hmac {
    return createHmac('sha256', this.#secret).update(`${binding}\n${body}`);
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
