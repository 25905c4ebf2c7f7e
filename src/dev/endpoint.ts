import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../app/config.js';
import { type LocalDynamo, startLocalDynamo } from './dynamodb-local.js';
import { processAlive } from './process-alive.js';

const MARKER = 'dynamodb-local.json';

export interface ResolvedEndpoint {
  /** undefined: AWS DynamoDB with the default credential chain. */
  endpoint: string | undefined;
  localCredentials: boolean;
  /** Set when this process started DynamoDB Local itself and must stop it. */
  local?: LocalDynamo;
  describe: string;
}

/** The embedded DynamoDB Local that a running `npm start` announced in DATA_DIR, if any. */
export function runningEmbeddedEndpoint(dataDir: string): string | undefined {
  const file = join(dataDir, MARKER);
  if (!existsSync(file)) return undefined;
  try {
    const marker = JSON.parse(readFileSync(file, 'utf8')) as { endpoint?: string; pid?: number };
    if (marker.endpoint && marker.pid && processAlive(marker.pid)) return marker.endpoint;
  } catch {
    // A torn or stale marker: treated as absent.
  }
  return undefined;
}

/**
 * Where this process finds DynamoDB, as DESIGN.md "Configuration" says:
 * DYNAMODB_ENDPOINT when set; in production without it, AWS; otherwise the embedded
 * DynamoDB Local, keeping its files under DATA_DIR. Scripts (db:create, db:seed) reuse the
 * embedded server of a running `npm start` instead of opening its files a second time.
 */
export async function resolveEndpoint(
  config: Config,
  options: { announce?: boolean; reuseRunning?: boolean } = {},
): Promise<ResolvedEndpoint> {
  if (config.dynamoEndpoint) {
    return {
      endpoint: config.dynamoEndpoint,
      localCredentials: config.dynamoLocalCredentials,
      describe: config.dynamoEndpoint,
    };
  }
  if (config.isProduction) {
    return {
      endpoint: undefined,
      localCredentials: false,
      describe: `AWS DynamoDB (${config.region})`,
    };
  }
  if (options.reuseRunning) {
    const running = runningEmbeddedEndpoint(config.dataDir);
    if (running) {
      return { endpoint: running, localCredentials: true, describe: `${running} (running server)` };
    }
  }
  const local = await startLocalDynamo({ dataDir: config.dataDir });
  const marker = join(config.dataDir, MARKER);
  if (options.announce) {
    writeFileSync(
      marker,
      JSON.stringify({ endpoint: local.endpoint, pid: process.pid, javaPid: local.process.pid }),
    );
    const stop = local.stop;
    local.stop = async () => {
      rmSync(marker, { force: true });
      await stop();
    };
  }
  return {
    endpoint: local.endpoint,
    localCredentials: true,
    local,
    describe: `embedded DynamoDB Local at ${local.endpoint} (data in ${config.dataDir})`,
  };
}
