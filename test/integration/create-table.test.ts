import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import {
  DeleteTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createDynamo } from '../../src/store/client.js';
import { tableDefinition } from '../../src/store/table.js';
import { assertLocalEndpoint } from '../helpers/global-setup.js';

const root = resolve(import.meta.dirname, '../..');
const tsx = resolve(root, 'node_modules/.bin/tsx');
const endpoint = inject('dynamoEndpoint');
assertLocalEndpoint(endpoint);
const tableName = `create-${randomUUID().slice(0, 8)}`;
const dynamo = createDynamo({ endpoint, region: 'us-east-1', localCredentials: true });

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `npm run db:create`'s script in its own process, as a user would. */
function createTable(env: Record<string, string>): Promise<Run> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  // Real AWS credentials from the environment must never reach the script or DynamoDB Local.
  for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']) {
    delete childEnv[name];
  }
  return new Promise((resolveRun, reject) => {
    const child = spawn(tsx, ['scripts/create-table.ts'], { cwd: root, env: childEnv });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolveRun({ code, stdout, stderr }));
  });
}

async function tableExists(name: string): Promise<boolean> {
  try {
    await dynamo.client.send(new DescribeTableCommand({ TableName: name }));
    return true;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return false;
    throw error;
  }
}

afterAll(async () => {
  if (await tableExists(tableName)) {
    await dynamo.client.send(new DeleteTableCommand({ TableName: tableName }));
  }
  dynamo.destroy();
});

describe('npm run db:create (scripts/create-table.ts)', () => {
  it('creates the table, then on a second run says it exists; both exit 0', async () => {
    expect(await tableExists(tableName)).toBe(false);
    const env = { DYNAMODB_ENDPOINT: endpoint, TABLE_NAME: tableName };

    const first = await createTable(env);
    expect(first.stderr).not.toMatch(/error/i);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`Created table ${tableName} at ${endpoint}`);

    const second = await createTable(env);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain(`Table ${tableName} already exists at ${endpoint}`);
    expect(second.stdout).not.toContain('Created');

    const { Table } = await dynamo.client.send(new DescribeTableCommand({ TableName: tableName }));
    const expected = tableDefinition(tableName);
    expect(Table?.TableStatus).toBe('ACTIVE');
    expect(Table?.KeySchema).toEqual(expected.KeySchema);
    expect(Table?.GlobalSecondaryIndexes?.map((index) => index.IndexName).sort()).toEqual(
      expected.GlobalSecondaryIndexes?.map((index) => index.IndexName).sort(),
    );
    expect(Table?.StreamSpecification?.StreamViewType).toBe('NEW_AND_OLD_IMAGES');
    const ttl = await dynamo.client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
    expect(ttl.TimeToLiveDescription?.AttributeName).toBe('expiresAt');
  }, 60_000);

  it('a bad configuration exits non-zero with one message naming the variable, and creates nothing', async () => {
    const badTable = `bad-${randomUUID().slice(0, 8)}`;
    const run = await createTable({
      DYNAMODB_ENDPOINT: endpoint,
      TABLE_NAME: badTable,
      ORDER_STATUS_SHARDS: 'abc',
    });
    expect(run.code).not.toBe(0);
    expect(run.stdout).toBe('');
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('ORDER_STATUS_SHARDS');
    expect(run.stderr).not.toMatch(/^\s+at /m);
    expect(await tableExists(badTable)).toBe(false);
  }, 30_000);
});
