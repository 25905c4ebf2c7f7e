/**
 * `npm run infra > table.json`: prints the table as a CloudFormation template (JSON) on stdout.
 * The TableName parameter defaults to TABLE_NAME (default Shop).
 */
import { ConfigError, loadConfig } from '../src/app/config.js';
import { cloudFormationTemplate } from '../src/dev/cloudformation.js';

try {
  // Only TABLE_NAME matters here: printing a template must not require the server's production
  // secrets, even when NODE_ENV=production is set in the deployment pipeline.
  const { tableName } = loadConfig({ TABLE_NAME: process.env.TABLE_NAME });
  process.stdout.write(`${JSON.stringify(cloudFormationTemplate(tableName), null, 2)}\n`);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exitCode = 1;
}
