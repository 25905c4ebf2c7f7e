import { Redis } from 'ioredis';
import type { Logger } from '../app/logger.js';

export interface RedisConnections {
  /** Short commands: publishing, rate limits, reads. */
  commands: Redis;
  /** A connection of its own for XREAD BLOCK, which holds the connection while it waits. */
  blocking(): Redis;
  /** Settles once the first connection is made or has failed, within the connect timeout. */
  firstConnection: Promise<void>;
  /** True while the commands connection is ready. */
  up(): boolean;
  /** Called on every change between up and down. */
  onChange(listener: (up: boolean) => void): void;
  quit(): Promise<void>;
}

/**
 * ioredis connections that fail fast while Redis is away: no offline queue and one try per
 * command, so a request waiting on the rate limit gets an error within `commandTimeoutMs` and
 * falls back, instead of queueing behind a reconnect. Reconnects go on in the background with
 * a capped backoff.
 */
export function connectRedis(
  url: string,
  logger: Logger,
  options: { commandTimeoutMs?: number } = {},
): RedisConnections {
  const common = {
    lazyConnect: false,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    retryStrategy: (times: number) => Math.min(2_000, 100 * 2 ** Math.min(times, 5)),
  } as const;
  const commands = new Redis(url, {
    ...common,
    commandTimeout: options.commandTimeoutMs ?? 500,
    connectionName: 'gateway',
  });
  const opened: Redis[] = [commands];
  const listeners: Array<(up: boolean) => void> = [];
  let up = false;
  const change = (next: boolean) => {
    if (next === up) return;
    up = next;
    if (up) logger.info('redis is reachable: the live features run across the fleet');
    else
      logger.warn(
        'redis is unreachable: live events and cross-replica cache invalidation are paused, ' +
          'the response cache is bypassed and rate limits count per replica until it is back',
      );
    for (const listener of listeners) listener(up);
  };
  const firstConnection = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, common.connectTimeout + 200);
    timer.unref();
    const settle = () => {
      clearTimeout(timer);
      resolve();
    };
    commands.once('ready', settle);
    commands.once('close', settle);
  });
  commands.on('ready', () => change(true));
  commands.on('close', () => change(false));
  // ioredis emits 'error' for every failed reconnect; the change above says it once.
  commands.on('error', (error) => logger.debug({ err: error }, 'redis connection error'));
  return {
    commands,
    blocking() {
      const connection = new Redis(url, {
        ...common,
        enableOfflineQueue: true,
        connectionName: 'gateway-reader',
      });
      connection.on('error', (error) => logger.debug({ err: error }, 'redis reader error'));
      opened.push(connection);
      return connection;
    },
    firstConnection,
    up: () => up,
    onChange(listener) {
      listeners.push(listener);
    },
    async quit() {
      await Promise.allSettled(opened.map((connection) => connection.quit()));
      for (const connection of opened) connection.disconnect();
    },
  };
}
