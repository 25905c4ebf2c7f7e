import type { Logger } from '../app/logger.js';
import type { RedisConnections } from './redis.js';

/** Where automatic persisted queries (APQ) keep the documents clients registered, by hash. */
export interface OperationStore {
  readonly kind: 'memory' | 'redis';
  get(hash: string): Promise<string | null>;
  set(hash: string, text: string): Promise<void>;
}

/** This process's documents, the `max` most recently used. */
export class MemoryOperationStore implements OperationStore {
  readonly kind = 'memory';
  readonly #documents = new Map<string, string>();

  constructor(readonly max = 1_000) {}

  async get(hash: string): Promise<string | null> {
    const text = this.#documents.get(hash);
    if (text === undefined) return null;
    // Map keeps insertion order: re-inserting makes this the most recent.
    this.#documents.delete(hash);
    this.#documents.set(hash, text);
    return text;
  }

  async set(hash: string, text: string): Promise<void> {
    this.#documents.delete(hash);
    this.#documents.set(hash, text);
    if (this.#documents.size > this.max) {
      const oldest = this.#documents.keys().next().value;
      if (oldest !== undefined) this.#documents.delete(oldest);
    }
  }

  get size(): number {
    return this.#documents.size;
  }
}

/** PERSISTED_QUERY_TTL_SECONDS' default: a week. */
const DEFAULT_TTL_SECONDS = 7 * 24 * 3_600;

/**
 * Shared by every replica, so a client that registered a document on one finds it on the next.
 * Each process also keeps what it saw in memory: while Redis is away a lookup that misses both
 * answers not-found, and the client resends the text (APQ's own fallback), never an error.
 */
export class RedisOperationStore implements OperationStore {
  readonly kind = 'redis';
  readonly #local = new MemoryOperationStore();

  constructor(
    private readonly redis: RedisConnections,
    private readonly prefix: string,
    private readonly logger: Logger,
    private readonly ttlSeconds = DEFAULT_TTL_SECONDS,
  ) {}

  async get(hash: string): Promise<string | null> {
    const local = await this.#local.get(hash);
    if (local !== null || !this.redis.up()) return local;
    try {
      const text = await this.redis.commands.get(this.#key(hash));
      if (text !== null) await this.#local.set(hash, text);
      return text;
    } catch (error) {
      this.logger.warn({ err: error }, 'persisted query lookup failed: answered not found');
      return null;
    }
  }

  async set(hash: string, text: string): Promise<void> {
    await this.#local.set(hash, text);
    if (!this.redis.up()) return;
    try {
      await this.redis.commands.set(this.#key(hash), text, 'EX', this.ttlSeconds);
    } catch (error) {
      this.logger.warn({ err: error }, 'could not share a persisted query: kept in this process');
    }
  }

  #key(hash: string): string {
    return `${this.prefix}apq:${hash}`;
  }
}
