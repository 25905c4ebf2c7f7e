import pino, { type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'shop-gateway' },
    redact: { paths: ['req.headers.authorization', 'headers.authorization'], remove: true },
  });
}

/** Yoga's logger on pino: yoga's words are joined only for a level pino writes. */
export function yogaLogging(logger: Logger) {
  const at =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (...args: unknown[]) => {
      if (logger.isLevelEnabled(level)) logger[level](args.map(String).join(' '));
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
