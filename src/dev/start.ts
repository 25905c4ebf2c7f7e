/**
 * `npm start`: the gateway for development. Without DYNAMODB_ENDPOINT it starts the embedded
 * DynamoDB Local (data in DATA_DIR), loads the sample catalog into a table without one, and
 * prints the GraphiQL URL with two bearer tokens. Development only: the production entry point
 * (src/entry/server.ts) imports nothing from src/dev.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { type Config, configOrExit } from '../app/config.js';
import { createLogger, type Logger } from '../app/logger.js';
import { runGateway } from '../app/run-gateway.js';
import { signDevToken } from '../auth/tokens.js';
import { categoriesQuery } from '../models/category.js';
import type { Dynamo } from '../store/client.js';
import { JavaMissingError } from './dynamodb-local.js';
import { type ResolvedEndpoint, resolveEndpoint } from './endpoint.js';
import {
  DEMO_ADMIN_ID,
  DEMO_CUSTOMER_ID,
  loadSampleData,
  SAMPLE_PRODUCTS,
} from './sample/catalog.js';

async function main(): Promise<void> {
  const config = configOrExit();
  const logger = createLogger(config.logLevel);
  for (const warning of config.warnings) logger.warn(warning);
  let resolved: ResolvedEndpoint;
  try {
    resolved = await resolveEndpoint(config, { announce: true });
  } catch (error) {
    if (error instanceof JavaMissingError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  await runGateway(config, logger, resolved, {
    onTableReady: async (setup, created) => {
      if (resolved.local || created) await loadSampleDataIfEmpty(config, setup, logger);
    },
    onListening: (url) => (config.isProduction ? undefined : printWelcome(config, url)),
    onStopped: async () => {
      await resolved.local?.stop();
    },
  });
}

async function loadSampleDataIfEmpty(config: Config, setup: Dynamo, logger: Logger) {
  // "Empty" means no catalog: one Query of the categories partition, never a Scan.
  const probe = await setup.doc.send(
    new QueryCommand({
      TableName: config.tableName,
      ...categoriesQuery().input,
      Limit: 1,
    }),
  );
  if ((probe.Items?.length ?? 0) > 0) return;
  const started = Date.now();
  const counts = await loadSampleData(setup.doc, config.tableName, { products: SAMPLE_PRODUCTS });
  logger.info({ counts, ms: Date.now() - started }, 'loaded the sample catalog');
}

async function printWelcome(config: Config, url: string): Promise<void> {
  const lines = [``, `  GraphiQL:  ${url}`, ``];
  if (config.jwt.kind === 'secret') {
    const options = { issuer: config.jwt.issuer, audience: config.jwt.audience };
    const customer = await signDevToken(config.jwt.secret, { sub: DEMO_CUSTOMER_ID, ...options });
    const admin = await signDevToken(config.jwt.secret, {
      sub: DEMO_ADMIN_ID,
      admin: true,
      ...options,
    });
    lines.push(
      `  Paste into GraphiQL's Headers tab (valid 12 h):`,
      `  demo customer: { "Authorization": "Bearer ${customer}" }`,
      `  admin:         { "Authorization": "Bearer ${admin}" }`,
      ``,
    );
  }
  console.log(lines.join('\n'));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
