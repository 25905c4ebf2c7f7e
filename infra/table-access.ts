import { aws_dynamodb as dynamodb, aws_iam as iam } from 'aws-cdk-lib';
import { TABLE_SCHEMA } from '../src/models/table-schema.js';

/**
 * What the HTTP gateway sends to the table, from the SDK commands in src/ outside src/dev (Get,
 * BatchGet, Query, Put, Update, Delete, TransactWrite, and DescribeTable for GET /ready).
 * No BatchWriteItem: only the sample loader and db:seed (src/store/batch-write.ts) send it.
 * TransactWriteItems has no IAM action of its own: IAM checks each item's PutItem, UpdateItem,
 * DeleteItem or ConditionCheckItem. CDK's grantReadWriteData would also grant dynamodb:Scan
 * (and stream reads), which the gateway refuses to send (src/store/scan-guard.ts): a leaked
 * role must not be able to read the whole table in one loop either.
 */
export const GATEWAY_TABLE_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DescribeTable',
] as const;

/** Indexes are only ever queried. */
export const GATEWAY_INDEX_ACTIONS = ['dynamodb:Query'] as const;

/** The ARN of each index of TABLE_SCHEMA, by name rather than `index/*`. */
export function indexArns(table: dynamodb.ITable): string[] {
  return Object.keys(TABLE_SCHEMA.indexes).map((name) => `${table.tableArn}/index/${name}`);
}

export function grantGatewayTableAccess(grantee: iam.IGrantable, table: dynamodb.ITable): void {
  iam.Grant.addToPrincipal({
    grantee,
    actions: [...GATEWAY_TABLE_ACTIONS],
    resourceArns: [table.tableArn],
  });
  iam.Grant.addToPrincipal({
    grantee,
    actions: [...GATEWAY_INDEX_ACTIONS],
    resourceArns: indexArns(table),
  });
}

/**
 * The operations the gateway sends, as the `Operation` dimension of DynamoDB's per-request
 * metrics (ThrottledRequests, SystemErrors): the alarms watch these and only these.
 */
export const GATEWAY_OPERATIONS = [
  dynamodb.Operation.GET_ITEM,
  dynamodb.Operation.BATCH_GET_ITEM,
  dynamodb.Operation.QUERY,
  dynamodb.Operation.PUT_ITEM,
  dynamodb.Operation.UPDATE_ITEM,
  dynamodb.Operation.DELETE_ITEM,
  dynamodb.Operation.TRANSACT_WRITE_ITEMS,
];
