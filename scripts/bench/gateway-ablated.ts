/**
 * The benchmark's feature runs: the production gateway (src/entry/server.ts) with the features
 * named in BENCH_ABLATE switched off (src/app/ablation.ts), to measure what each one costs.
 * Started only by `npm run bench:features`; never deployed.
 */

import { parseAblations } from '../../src/app/ablation.js';
import { configOrExit } from '../../src/app/config.js';
import { createLogger } from '../../src/app/logger.js';
import { configuredTarget, runGateway } from '../../src/app/run-gateway.js';

const config = configOrExit();
const logger = createLogger(config.logLevel);
const ablate = parseAblations(process.env.BENCH_ABLATE);
runGateway(config, logger, configuredTarget(config), { ablate }).catch((error) => {
  console.error(error);
  process.exit(1);
});
