/**
 * `npm run infra > shop.json`: prints the CDK stack of infra/ as a CloudFormation template
 * (JSON) on stdout, offline: no AWS account, no CDK CLI, no build. The TableName parameter
 * defaults to TABLE_NAME (default Shop); the Lambda package is given by parameters
 * (infra/README.md).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createShopApp } from '../infra/app.js';
import { ConfigError, loadConfig } from '../src/app/config.js';

try {
  // Only TABLE_NAME matters here: printing a template must not require the server's production
  // secrets, even when NODE_ENV=production is set in the deployment pipeline.
  const { tableName } = loadConfig({ TABLE_NAME: process.env.TABLE_NAME });
  // The cloud assembly goes to a temp dir, never into the repository.
  const outdir = mkdtempSync(join(tmpdir(), 'shop-cdk-'));
  try {
    const { app, stack } = createShopApp({ tableName, outdir });
    const { template } = app.synth().getStackArtifact(stack.artifactId);
    process.stdout.write(`${JSON.stringify(template, null, 2)}\n`);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exitCode = 1;
}
