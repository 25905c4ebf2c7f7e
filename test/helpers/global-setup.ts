import type { TestProject } from 'vitest/node';
import { startLocalDynamo } from '../../src/dev/dynamodb-local.js';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
  }
}

/** Tests only ever talk to a DynamoDB on this machine. */
export function assertLocalEndpoint(endpoint: string): void {
  const host = new URL(endpoint).hostname;
  if (!['127.0.0.1', 'localhost', '[::1]', '::1'].includes(host)) {
    throw new Error(`Refusing to run tests against a non-local DynamoDB endpoint: ${endpoint}`);
  }
}

/** One in-memory DynamoDB Local (shared DB, random port) for the whole run. */
export default async function setup(project: TestProject) {
  const given = process.env.TEST_DYNAMODB_ENDPOINT;
  if (given) {
    assertLocalEndpoint(given);
    project.provide('dynamoEndpoint', given);
    return;
  }
  const local = await startLocalDynamo();
  assertLocalEndpoint(local.endpoint);
  project.provide('dynamoEndpoint', local.endpoint);
  return async () => {
    await local.stop();
  };
}
