/**
 * The CDK CLI's entry (cdk.json): `npx aws-cdk@2 deploy`. TABLE_NAME names the table (default
 * Shop); LAMBDA_PACKAGE, a directory or zip of the Lambda package, makes it a CDK asset.
 */
import { ConfigError, loadConfig } from '../src/app/config.js';
import { createShopApp } from './app.js';

try {
  // Only TABLE_NAME is read: synthesizing must not need the server's production secrets.
  const { tableName } = loadConfig({ TABLE_NAME: process.env.TABLE_NAME });
  const lambdaPackage = process.env.LAMBDA_PACKAGE?.trim();
  createShopApp({ tableName, ...(lambdaPackage ? { lambdaPackage } : {}) }).app.synth();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exitCode = 1;
}
