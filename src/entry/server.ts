/**
 * The production entry point, and the container's (`node dist/src/entry/server.js`): the gateway
 * on the DynamoDB it is given, DYNAMODB_ENDPOINT or else AWS with the default credential chain.
 * It creates the table when it is missing and loads no data. `npm start` is src/dev/start.ts.
 */
import { configOrExit } from '../app/config.js';
import { createLogger } from '../app/logger.js';
import { configuredTarget, runGateway } from '../app/run-gateway.js';

const config = configOrExit();
const logger = createLogger(config.logLevel);
for (const warning of config.warnings) logger.warn(warning);
runGateway(config, logger, configuredTarget(config)).catch((error) => {
  console.error(error);
  process.exit(1);
});
