/**
 * `npm run db:create`: creates the table at the configured DynamoDB when it is missing.
 * Idempotent. Where it goes is decided as for the server (DESIGN.md "Configuration"):
 * DYNAMODB_ENDPOINT, AWS in production, the embedded DynamoDB Local of a running `npm start`,
 * or an embedded DynamoDB Local that this script starts on DATA_DIR and stops again.
 */
import { ConfigError, loadConfig } from '../src/app/config.js';
import { JavaMissingError } from '../src/dev/dynamodb-local.js';
import { type ResolvedEndpoint, resolveEndpoint } from '../src/dev/endpoint.js';
import { createDynamo, SETUP_TIMEOUTS } from '../src/store/client.js';
import { ensureTable } from '../src/store/table.js';

async function main(): Promise<void> {
  const config = loadConfig();
  let resolved: ResolvedEndpoint | undefined;
  try {
    resolved = await resolveEndpoint(config, { reuseRunning: true });
    const dynamo = createDynamo({
      endpoint: resolved.endpoint,
      region: config.region,
      localCredentials: resolved.localCredentials,
      timeouts: SETUP_TIMEOUTS,
    });
    try {
      const created = await ensureTable(dynamo.client, config.tableName);
      console.log(
        created
          ? `Created table ${config.tableName} at ${resolved.describe}`
          : `Table ${config.tableName} already exists at ${resolved.describe}: left as it is`,
      );
    } finally {
      dynamo.destroy();
    }
  } finally {
    await resolved?.local?.stop();
  }
}

try {
  await main();
} catch (error) {
  // Errors whose message already says what to do are printed alone, without a stack.
  if (error instanceof ConfigError || error instanceof JavaMissingError) {
    console.error(error.message);
  } else {
    console.error('db:create failed:', error);
  }
  process.exitCode = 1;
}
