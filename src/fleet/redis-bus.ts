import type { Redis } from 'ioredis';
import type { Logger } from '../app/logger.js';
import type { BusMessage, BusStats, EventBus, RecordEvents, StaleEntity } from './bus.js';
import type { RedisConnections } from './redis.js';

/**
 * Adds each record's message once: SET NX of the record's eventID (kept `ttl` ms), then XADD.
 * One script, so a publisher that dies half-way leaves no record marked but not added.
 */
const PUBLISH_ONCE = `
local added = 0
for i = 2, #KEYS do
  if redis.call('SET', KEYS[i], '1', 'NX', 'PX', ARGV[2]) then
    redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'm', ARGV[i + 1])
    added = added + 1
  end
end
return added
`;

/** Records per script call: one round trip for a GetRecords page, without a huge script call. */
const PUBLISH_CHUNK = 100;
const READ_COUNT = 500;
const BLOCK_MS = 2_000;

export interface RedisBusOptions {
  redis: RedisConnections;
  logger: Logger;
  prefix: string;
  /** The stream keeps about this many messages: what a replica away for a while can catch up on. */
  maxLength: number;
  /** How long a published eventID is remembered against duplicates. */
  dedupeTtlMs: number;
  /**
   * `push`: a background XREAD BLOCK hands messages over as they come (servers). `pull`: only
   * `catchUp()` reads (a Lambda, which is frozen between invocations).
   */
  mode: 'push' | 'pull';
}

type StreamReply = Array<[key: string, entries: Array<[id: string, fields: string[]]>]> | null;

/**
 * The fleet's bus on Redis Streams rather than pub/sub: a replica that lost its connection reads
 * on from the last id it saw, so it misses nothing the stream still holds (pub/sub drops it),
 * and the stream's length is bounded with MAXLEN. Every process reads the whole stream: each
 * message reaches every replica once, in order.
 */
export class RedisBus implements EventBus {
  readonly kind = 'redis' as const;
  readonly #options: RedisBusOptions;
  readonly #stream: string;
  #deliver: ((message: BusMessage) => void) | undefined;
  #lastId: string | undefined;
  #reader: Redis | undefined;
  #loop: Promise<void> | undefined;
  #stopped = false;
  #stats = { published: 0, duplicatesDropped: 0, delivered: 0 };

  constructor(options: RedisBusOptions) {
    this.#options = options;
    this.#stream = `${options.prefix}bus`;
    options.redis.commands.defineCommand('shopPublishOnce', { lua: PUBLISH_ONCE });
  }

  async publishRecords(records: readonly RecordEvents[]): Promise<void> {
    const withEvents = records.filter((record) => record.events.length > 0);
    for (let start = 0; start < withEvents.length; start += PUBLISH_CHUNK) {
      const chunk = withEvents.slice(start, start + PUBLISH_CHUNK);
      const keys = [this.#stream, ...chunk.map((record) => this.#seenKey(record.eventId))];
      const messages = chunk.map((record) =>
        JSON.stringify({ kind: 'events', events: record.events } satisfies BusMessage),
      );
      const added = (await (
        this.#options.redis.commands as unknown as {
          shopPublishOnce(n: number, ...args: Array<string | number>): Promise<number>;
        }
      ).shopPublishOnce(
        keys.length,
        ...keys,
        this.#options.maxLength,
        this.#options.dedupeTtlMs,
        ...messages,
      )) as number;
      this.#stats.published += added;
      this.#stats.duplicatesDropped += chunk.length - added;
    }
  }

  async publishStale(entities: readonly StaleEntity[]): Promise<void> {
    if (entities.length === 0) return;
    await this.#options.redis.commands.xadd(
      this.#stream,
      'MAXLEN',
      '~',
      this.#options.maxLength,
      '*',
      'm',
      JSON.stringify({ kind: 'stale', entities: [...entities] } satisfies BusMessage),
    );
    this.#stats.published++;
  }

  async subscribe(deliver: (message: BusMessage) => void): Promise<void> {
    this.#deliver = deliver;
    try {
      this.#lastId = await this.#latestId(this.#options.redis.commands);
    } catch (error) {
      // Redis is away at start: the loop (or the next catch-up) starts from the latest message
      // once it is back. The cache is bypassed meanwhile (src/fleet/fleet.ts).
      this.#options.logger.warn({ err: error }, 'bus: redis unreachable at start');
    }
    if (this.#options.mode === 'push') {
      this.#reader = this.#options.redis.blocking();
      this.#loop = this.#readLoop(this.#reader);
    }
  }

  async catchUp(): Promise<void> {
    const commands = this.#options.redis.commands;
    this.#lastId ??= await this.#latestId(commands);
    for (;;) {
      const reply = (await commands.xread(
        'COUNT',
        READ_COUNT,
        'STREAMS',
        this.#stream,
        this.#lastId,
      )) as StreamReply;
      const handed = this.#hand(reply);
      if (handed < READ_COUNT) return;
    }
  }

  stats(): BusStats {
    const up =
      this.#options.redis.up() &&
      (this.#options.mode === 'pull' || this.#reader?.status === 'ready');
    return { kind: this.kind, up, ...this.#stats };
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#reader?.disconnect();
    await this.#loop;
  }

  async #readLoop(reader: Redis): Promise<void> {
    let backoff = 0;
    while (!this.#stopped) {
      try {
        this.#lastId ??= await this.#latestId(reader);
        const reply = (await reader.xread(
          'COUNT',
          READ_COUNT,
          'BLOCK',
          BLOCK_MS,
          'STREAMS',
          this.#stream,
          this.#lastId,
        )) as StreamReply;
        backoff = 0;
        this.#hand(reply);
      } catch (error) {
        if (this.#stopped) return;
        backoff = Math.min(2_000, Math.max(100, backoff * 2));
        this.#options.logger.debug({ err: error, retryInMs: backoff }, 'bus: read failed');
        await new Promise((resolve) => setTimeout(resolve, backoff));
      }
    }
  }

  #hand(reply: StreamReply): number {
    const entries = reply?.[0]?.[1] ?? [];
    for (const [id, fields] of entries) {
      this.#lastId = id;
      const raw = fields[fields.indexOf('m') + 1];
      if (raw === undefined) continue;
      let message: BusMessage;
      try {
        message = JSON.parse(raw) as BusMessage;
      } catch (error) {
        this.#options.logger.error({ err: error, id }, 'bus: unreadable message skipped');
        continue;
      }
      this.#stats.delivered++;
      try {
        this.#deliver?.(message);
      } catch (error) {
        this.#options.logger.error({ err: error, id }, 'bus: a consumer failed');
      }
    }
    return entries.length;
  }

  /** The id of the newest message, so that reading starts after what was there before. */
  async #latestId(connection: Redis): Promise<string> {
    const newest = await connection.xrevrange(this.#stream, '+', '-', 'COUNT', 1);
    return newest[0]?.[0] ?? '0-0';
  }

  #seenKey(eventId: string): string {
    return `${this.#options.prefix}seen:${eventId}`;
  }
}
