import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.js';

/**
 * `npm run test:quick`: the unit tests and the in-process integration tests. Left to `npm test`
 * (the whole suite): what starts processes (the server, scripts, the container path, the
 * browser) and the long runs under load (soak, crowd, faults, shutdown).
 */
export const SLOW_FILES = [
  'test/browser/**',
  // The same scenario as documents.test.ts, on another repository's file.
  'test/acceptance/**',
  'test/integration/container-path.test.ts',
  'test/integration/server.test.ts',
  'test/integration/create-table.test.ts',
  'test/unit/token-script.test.ts',
  'test/integration/soak.test.ts',
  'test/integration/crowd.test.ts',
  'test/integration/faults.test.ts',
  'test/integration/shutdown.test.ts',
  // Three gateway processes and a redis-server.
  'test/integration/fleet.test.ts',
  // Readers in child processes, SIGKILLed.
  'test/integration/stream-leases.test.ts',
];

export default mergeConfig(
  base,
  defineConfig({
    test: { exclude: ['**/node_modules/**', ...SLOW_FILES] },
  }),
);
