import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';

export type SdkLogger = NonNullable<DynamoDBClientConfig['logger']>;

/**
 * The SDK's logger, without `info` and `error`. The SDK's logger middleware calls
 * `logger?.info?.(...)` after every call, and the arguments (the input and the whole output,
 * each copied through the schema's sensitive-field filter) are built whenever `info` exists, as
 * it does on the SDK's default no-op logger: a copy of every item read, made to be dropped.
 * `error` is left out for the same copy of every failed call's input (a flash sale's condition
 * failures); the gateway logs the failures it does not expect itself.
 * `debug` and `warn` are called without `?.` by the SDK, so both must exist.
 */
export function sdkLogger(warn: ((message: string) => void) | undefined): SdkLogger {
  const drop = () => {};
  const logger: Pick<SdkLogger, 'debug' | 'warn'> = {
    debug: drop,
    warn: warn ? (...content) => warn(content.map(String).join(' ')) : drop,
  };
  return logger as SdkLogger;
}
