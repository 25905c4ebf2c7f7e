/**
 * The benchmark's feature runs: the production gateway (src/entry/server.ts) with the features
 * named in BENCH_ABLATE switched off (src/app/ablation.ts), to measure what each one costs.
 * Started only by `npm run bench:features`; never deployed.
 */

import { parseAblations } from '../../src/app/ablation.js';
import { configOrExit } from '../../src/app/config.js';
import { createLogger } from '../../src/app/logger.js';
import { runGateway } from '../../src/app/run-gateway.js';

const config = configOrExit();
const logger = createLogger(config.logLevel);
const ablate = parseAblations(process.env.BENCH_ABLATE);
runGateway(
  config,
  logger,
  {
    endpoint: config.dynamoEndpoint,
    localCredentials: config.dynamoEndpoint ? config.dynamoLocalCredentials : false,
    describe: config.dynamoEndpoint ?? 'none',
  },
  { ablate },
).catch((error) => {
  console.error(error);
  process.exit(1);
});
