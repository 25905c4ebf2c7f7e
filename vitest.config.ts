import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Node resolves `graphql` to its CommonJS build (no "exports" map), Vite to its .mjs build:
  // two copies of graphql. Point Vite at the one that Node and the Pothos/yoga packages load.
  resolve: { alias: { graphql: createRequire(import.meta.url).resolve('graphql') } },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    testTimeout: 30_000,
    // Node 20 here; the image runs Node 22. The SDK's notice about it is noise in test output.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    // Setup hooks load the sample catalog (thousands of items) into the one DynamoDB Local that
    // every file shares, while the other files use it too: slow on a busy 2-core machine.
    hookTimeout: 180_000,
    // One DynamoDB Local serves every file; files isolate themselves with their own tables.
    fileParallelism: true,
    // More files than cores: most suites wait on server processes, timers and DynamoDB Local
    // rather than on this process's CPU.
    maxWorkers: 3,
  },
});
