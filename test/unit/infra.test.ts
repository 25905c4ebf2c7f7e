import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ITERATOR_AGE_THRESHOLD_MS } from '../../infra/alarms.js';
import { createShopApp } from '../../infra/app.js';
import { HTTP_HANDLER, STREAM_HANDLER } from '../../infra/shop-stack.js';
import { GATEWAY_OPERATIONS, GATEWAY_TABLE_ACTIONS } from '../../infra/table-access.js';
import { tableShape } from '../../infra/table-shape.js';
import { TABLE_SCHEMA } from '../../src/models/table-schema.js';
import { tableDefinition } from '../../src/store/table.js';

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation JSON
type Json = any;
interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: Json;
}

const definition = tableDefinition('ShopTest');
const outdir = mkdtempSync(join(tmpdir(), 'shop-infra-test-'));
let template: Template;
let json: Json;
let synthMs = 0;

const actionsOf = (statement: Statement) => [statement.Action].flat();
const resourcesOf = (statement: Statement) => [statement.Resource].flat();

function logicalIdOf(type: string, props?: Json): string {
  const ids = Object.keys(template.findResources(type, props ? { Properties: props } : {}));
  expect(ids).toHaveLength(1);
  return ids[0]!;
}

/** Every statement of the inline and managed policies attached to a function's role. */
function statementsOfFunction(handler: string): Statement[] {
  const fn = json.Resources[logicalIdOf('AWS::Lambda::Function', { Handler: handler })];
  const roleId: string = fn.Properties.Role['Fn::GetAtt'][0];
  const role = json.Resources[roleId];
  expect(role.Properties.Policies).toBeUndefined();
  // Only the basic execution role (logs): no managed policy with data access.
  expect(JSON.stringify(role.Properties.ManagedPolicyArns)).toMatch(
    /^\[\{"Fn::Join":\["",\["arn:",\{"Ref":"AWS::Partition"\},":iam::aws:policy\/service-role\/AWSLambdaBasicExecutionRole"\]\]\}\]$/,
  );
  const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter(
    (policy: Json) => policy.Properties.Roles.some((ref: Json) => ref.Ref === roleId),
  );
  expect(Object.keys(template.findResources('AWS::IAM::ManagedPolicy'))).toEqual([]);
  return policies.flatMap((policy: Json) => policy.Properties.PolicyDocument.Statement);
}

const tableArn = { 'Fn::GetAtt': ['Table', 'Arn'] };
const streamArn = { 'Fn::GetAtt': ['Table', 'StreamArn'] };
const indexArn = (name: string) => ({
  'Fn::Join': ['', [{ 'Fn::GetAtt': ['Table', 'Arn'] }, `/index/${name}`]],
});

beforeAll(() => {
  const started = performance.now();
  const { stack } = createShopApp({ tableName: 'ShopTest', outdir });
  template = Template.fromStack(stack);
  json = template.toJSON();
  synthMs = performance.now() - started;
  console.info(`infra.test: synthesized in ${Math.round(synthMs)} ms`);
});

afterAll(() => {
  rmSync(outdir, { recursive: true, force: true });
});

describe('the CDK stack: table', () => {
  it('synthesizes in a few seconds', () => {
    // Recorded for the suite's budget; about 1-2 s here.
    expect(synthMs).toBeLessThan(20_000);
  });

  it('is the one table, logical id Table, kept on stack deletion and replacement', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    expect(json.Resources.Table.Type).toBe('AWS::DynamoDB::Table');
    expect(json.Resources.Table.DeletionPolicy).toBe('Retain');
    expect(json.Resources.Table.UpdateReplacePolicy).toBe('Retain');
    expect(json.Resources.Table.Properties.DeletionProtectionEnabled).toBe(true);
  });

  it('has the keys, attribute definitions and indexes of tableDefinition()', () => {
    const table = json.Resources.Table.Properties;
    expect(table.KeySchema).toEqual(definition.KeySchema);
    expect(new Set(table.AttributeDefinitions.map(JSON.stringify))).toEqual(
      new Set(definition.AttributeDefinitions?.map((d) => JSON.stringify(d))),
    );
    expect(table.AttributeDefinitions).toHaveLength(definition.AttributeDefinitions?.length ?? -1);
    expect(table.GlobalSecondaryIndexes).toEqual(
      definition.GlobalSecondaryIndexes?.map(({ IndexName, KeySchema, Projection }) => ({
        IndexName,
        KeySchema,
        Projection,
      })),
    );
    // And these are the design's generic keys, so an empty definition cannot pass the above.
    expect(table.KeySchema).toEqual([
      { AttributeName: 'PK', KeyType: 'HASH' },
      { AttributeName: 'SK', KeyType: 'RANGE' },
    ]);
    expect(table.GlobalSecondaryIndexes.map((i: Json) => i.IndexName)).toEqual(['GSI1', 'GSI2']);
  });

  it('is on-demand, streams NEW_AND_OLD_IMAGES, expires on expiresAt, has PITR', () => {
    const table = json.Resources.Table.Properties;
    expect(table.BillingMode).toBe(definition.BillingMode);
    expect(table.BillingMode).toBe('PAY_PER_REQUEST');
    expect(JSON.stringify(json)).not.toContain('ProvisionedThroughput');
    expect(table.StreamSpecification).toEqual({
      StreamViewType: definition.StreamSpecification?.StreamViewType,
    });
    expect(table.StreamSpecification.StreamViewType).toBe('NEW_AND_OLD_IMAGES');
    expect(table.TimeToLiveSpecification).toEqual({
      AttributeName: TABLE_SCHEMA.ttlAttribute,
      Enabled: true,
    });
    expect(TABLE_SCHEMA.ttlAttribute).toBe('expiresAt');
    expect(table.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
  });

  it('takes its name from a TableName parameter that defaults to TABLE_NAME', () => {
    const parameter = json.Parameters.TableName;
    expect(parameter.Default).toBe('ShopTest');
    expect(json.Resources.Table.Properties.TableName).toEqual({ Ref: 'TableName' });
    expect(new RegExp(`^${parameter.AllowedPattern}$`).test('ShopTest')).toBe(true);
    expect(new RegExp(`^${parameter.AllowedPattern}$`).test('ab')).toBe(false);
  });

  it('refuses a definition it cannot carry over, rather than dropping it', () => {
    expect(() => tableShape({ ...definition, BillingMode: 'PROVISIONED' })).toThrow(/billing/);
    expect(() =>
      tableShape({ ...definition, StreamSpecification: { StreamEnabled: false } }),
    ).toThrow(/streams disabled/);
    expect(() =>
      tableShape({
        ...definition,
        AttributeDefinitions: [
          ...(definition.AttributeDefinitions ?? []),
          { AttributeName: 'Orphan', AttributeType: 'S' },
        ],
      }),
    ).toThrow(/Orphan/);
    expect(() =>
      tableShape({
        ...definition,
        AttributeDefinitions: definition.AttributeDefinitions?.filter(
          (d) => d.AttributeName !== 'GSI2SK',
        ),
      }),
    ).toThrow(/GSI2SK/);
  });
});

describe('the CDK stack: least privilege', () => {
  it("gives the HTTP function exactly the gateway's actions on the table and its indexes", () => {
    const statements = statementsOfFunction(HTTP_HANDLER);
    expect(statements).toEqual([
      { Effect: 'Allow', Action: [...GATEWAY_TABLE_ACTIONS], Resource: tableArn },
      {
        Effect: 'Allow',
        Action: 'dynamodb:Query',
        Resource: Object.keys(TABLE_SCHEMA.indexes).map(indexArn),
      },
    ]);
    expect(new Set(statements.flatMap(actionsOf))).toEqual(
      new Set([
        'dynamodb:GetItem',
        'dynamodb:BatchGetItem',
        'dynamodb:Query',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'dynamodb:DeleteItem',
        'dynamodb:ConditionCheckItem',
        'dynamodb:DescribeTable',
      ]),
    );
  });

  it('gives the stream function only the stream reads and the failure queue, no table data', () => {
    const statements = statementsOfFunction(STREAM_HANDLER);
    const queue = { 'Fn::GetAtt': [logicalIdOf('AWS::SQS::Queue'), 'Arn'] };
    const byAction = new Map(
      statements.flatMap((s) => actionsOf(s).map((a) => [a, resourcesOf(s)] as const)),
    );
    expect([...byAction.keys()].sort()).toEqual([
      'dynamodb:DescribeStream',
      'dynamodb:GetRecords',
      'dynamodb:GetShardIterator',
      'dynamodb:ListStreams',
      'sqs:GetQueueAttributes',
      'sqs:GetQueueUrl',
      'sqs:SendMessage',
    ]);
    for (const action of ['DescribeStream', 'GetRecords', 'GetShardIterator']) {
      expect(byAction.get(`dynamodb:${action}`)).toEqual([streamArn]);
    }
    // ListStreams has no resource-level permission.
    expect(byAction.get('dynamodb:ListStreams')).toEqual(['*']);
    expect(byAction.get('sqs:SendMessage')).toEqual([queue]);
    expect(JSON.stringify(statements)).not.toContain('"Arn"]}/index');
    expect(statements.flatMap(resourcesOf)).not.toContainEqual(tableArn);
  });

  it('has no Scan, no wildcard action and no table administration anywhere', () => {
    const all: Statement[] = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
      (policy: Json) => policy.Properties.PolicyDocument.Statement,
    );
    expect(all.length).toBeGreaterThan(0);
    const actions = all.flatMap(actionsOf);
    expect(actions).not.toContain('dynamodb:Scan');
    expect(actions.filter((action) => action.includes('*'))).toEqual([]);
    // BatchWriteItem is for the sample loader and db:seed only.
    for (const forbidden of [
      'Scan',
      'BatchWriteItem',
      'CreateTable',
      'DeleteTable',
      'UpdateTable',
      'PartiQL',
      'Export',
    ]) {
      expect(actions.filter((action) => action.includes(forbidden))).toEqual([]);
    }
    expect(all.every((statement) => statement.Effect === 'Allow')).toBe(true);
  });

  it('has no other function (no custom resources with their own roles)', () => {
    template.resourceCountIs('AWS::Lambda::Function', 2);
    template.resourceCountIs('AWS::IAM::Role', 2);
    expect(Object.keys(template.findResources('Custom::LogRetention'))).toEqual([]);
  });
});

describe('the CDK stack: functions, secrets, Redis', () => {
  const env = (handler: string) =>
    json.Resources[logicalIdOf('AWS::Lambda::Function', { Handler: handler })].Properties
      .Environment.Variables;

  it('runs both handlers of the production build on Node 22', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'dist/src/entry/lambda.handler',
      Runtime: 'nodejs22.x',
      Code: { S3Bucket: { Ref: 'LambdaCodeBucket' }, S3Key: { Ref: 'LambdaCodeKey' } },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'dist/src/entry/stream-lambda.handler',
      Runtime: 'nodejs22.x',
      Code: { S3Bucket: { Ref: 'LambdaCodeBucket' }, S3Key: { Ref: 'LambdaCodeKey' } },
    });
  });

  it('gives both functions REDIS_URL from a NoEcho parameter, and production mode', () => {
    for (const handler of [HTTP_HANDLER, STREAM_HANDLER]) {
      expect(env(handler).REDIS_URL).toEqual({ Ref: 'RedisUrl' });
      expect(env(handler).NODE_ENV).toBe('production');
      expect(env(handler).TABLE_NAME).toEqual({ Ref: 'Table' });
    }
    expect(json.Parameters.RedisUrl.NoEcho).toBe(true);
    expect(json.Parameters.RedisUrl.Default).toBeUndefined();
    const pattern = new RegExp(`^${json.Parameters.RedisUrl.AllowedPattern}$`);
    expect(pattern.test('rediss://default:token@cache.example:6379')).toBe(true);
    expect(pattern.test('redis://redis:6379')).toBe(true);
    expect(pattern.test('http://redis:6379')).toBe(false);
  });

  it('hands the secrets over as dynamic references to generated secrets, never as text', () => {
    const secrets = template.findResources('AWS::SecretsManager::Secret');
    expect(Object.keys(secrets)).toHaveLength(2);
    for (const name of ['JWT_SECRET', 'CURSOR_SECRET']) {
      const value = env(HTTP_HANDLER)[name];
      expect(typeof value).not.toBe('string');
      const [, [prefix, ref, suffix]] = value['Fn::Join'];
      expect(prefix).toBe('{{resolve:secretsmanager:');
      expect(suffix).toBe(':SecretString:::}}');
      const secret: Json = secrets[ref.Ref];
      expect(secret.Properties.GenerateSecretString.PasswordLength).toBeGreaterThanOrEqual(32);
      expect(secret.Properties.SecretString).toBeUndefined();
    }
    expect(env(HTTP_HANDLER).JWT_SECRET).not.toEqual(env(HTTP_HANDLER).CURSOR_SECRET);
    // The stream function publishes: it has no use for them.
    expect(Object.keys(env(STREAM_HANDLER)).sort()).toEqual([
      'LOG_LEVEL',
      'NODE_ENV',
      'REDIS_URL',
      'TABLE_NAME',
    ]);
    expect(JSON.stringify(json)).not.toMatch(/dev-only|change-me/);
  });
});

describe('the CDK stack: stream mapping and HTTP API', () => {
  it('maps the stream to the stream function with retries, bisection, item failures and a DLQ', () => {
    const mappings = template.findResources('AWS::Lambda::EventSourceMapping');
    expect(Object.keys(mappings)).toHaveLength(1);
    const mapping = Object.values(mappings)[0]?.Properties;
    expect(mapping.EventSourceArn).toEqual(streamArn);
    expect(mapping.FunctionName).toEqual({
      Ref: logicalIdOf('AWS::Lambda::Function', { Handler: STREAM_HANDLER }),
    });
    expect(mapping.StartingPosition).toBe('LATEST');
    expect(mapping.BisectBatchOnFunctionError).toBe(true);
    expect(mapping.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
    expect(mapping.MaximumRetryAttempts).toBeGreaterThanOrEqual(3);
    expect(mapping.MaximumRetryAttempts).toBeLessThanOrEqual(10);
    expect(mapping.MaximumRecordAgeInSeconds).toBeGreaterThanOrEqual(60);
    expect(mapping.MaximumRecordAgeInSeconds).toBeLessThanOrEqual(3_600);
    expect(mapping.DestinationConfig.OnFailure.Destination).toEqual({
      'Fn::GetAtt': [logicalIdOf('AWS::SQS::Queue'), 'Arn'],
    });
  });

  it('routes /graphql, /health and /ready of an HTTP API to the HTTP function (payload 2.0)', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP' });
    const httpFunction = logicalIdOf('AWS::Lambda::Function', { Handler: HTTP_HANDLER });
    const integration = logicalIdOf('AWS::ApiGatewayV2::Integration', {
      IntegrationType: 'AWS_PROXY',
      PayloadFormatVersion: '2.0',
      IntegrationUri: { 'Fn::GetAtt': [httpFunction, 'Arn'] },
    });
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route'));
    expect(routes.map((route: Json) => route.Properties.RouteKey).sort()).toEqual([
      'ANY /graphql',
      'GET /health',
      'GET /ready',
    ]);
    for (const route of routes) {
      expect(route.Properties.Target).toEqual({
        'Fn::Join': ['', ['integrations/', { Ref: integration }]],
      });
    }
    template.resourcePropertiesCountIs(
      'AWS::Lambda::Permission',
      {
        FunctionName: { 'Fn::GetAtt': [httpFunction, 'Arn'] },
        Principal: 'apigateway.amazonaws.com',
      },
      3,
    );
  });

  it('outputs the API URL, the table name and the stream ARN', () => {
    expect(JSON.stringify(json.Outputs.ApiUrl.Value)).toContain('/graphql');
    expect(JSON.stringify(json.Outputs.ApiUrl.Value)).toContain(
      logicalIdOf('AWS::ApiGatewayV2::Api'),
    );
    expect(json.Outputs.TableNameOutput.Value).toEqual({ Ref: 'Table' });
    expect(json.Outputs.StreamArn.Value).toEqual(streamArn);
  });
});

describe('the CDK stack: alarms', () => {
  const alarms = () => Object.values(template.findResources('AWS::CloudWatch::Alarm')) as Json[];
  const topic = () => ({ Ref: logicalIdOf('AWS::SNS::Topic') });
  const plain = (metricName: string) => {
    const found = alarms().filter((alarm) => alarm.Properties.MetricName === metricName);
    return found.map((alarm) => alarm.Properties);
  };

  it('every alarm goes to the topic, fires above its threshold and ignores missing data', () => {
    expect(alarms()).toHaveLength(9);
    for (const { Properties } of alarms()) {
      expect(Properties.AlarmActions).toEqual([topic()]);
      expect(Properties.ComparisonOperator).toBe('GreaterThanThreshold');
      expect(Properties.TreatMissingData).toBe('notBreaching');
      expect(Properties.EvaluationPeriods).toBe(1);
    }
  });

  it('alarms on any throttled request and any system error, summed with FILL over the operations', () => {
    for (const metricName of ['ThrottledRequests', 'SystemErrors']) {
      const [alarm, ...others] = alarms().filter((a) =>
        a.Properties.Metrics?.some((m: Json) => m.MetricStat?.Metric.MetricName === metricName),
      );
      expect(others).toEqual([]);
      const { Metrics, Threshold } = alarm.Properties;
      expect(Threshold).toBe(0);
      const terms = Metrics.filter((m: Json) => m.MetricStat);
      expect(terms.map((m: Json) => m.MetricStat.Metric.Dimensions)).toEqual(
        GATEWAY_OPERATIONS.map((operation) => [
          { Name: 'Operation', Value: operation },
          { Name: 'TableName', Value: { Ref: 'Table' } },
        ]),
      );
      expect(terms.every((m: Json) => m.MetricStat.Stat === 'Sum' && !m.ReturnData)).toBe(true);
      const [expression] = Metrics.filter((m: Json) => m.Expression);
      expect(expression.ReturnData).toBe(true);
      expect(expression.Expression).toBe(terms.map((m: Json) => `FILL(${m.Id}, 0)`).join(' + '));
    }
  });

  it('alarms on read and write throttle events of the table', () => {
    for (const metricName of ['ReadThrottleEvents', 'WriteThrottleEvents']) {
      expect(plain(metricName)).toEqual([
        expect.objectContaining({
          Namespace: 'AWS/DynamoDB',
          Statistic: 'Sum',
          Threshold: 0,
          Dimensions: [{ Name: 'TableName', Value: { Ref: 'Table' } }],
        }),
      ]);
    }
  });

  it("alarms on each function's errors and on the stream function's iterator age", () => {
    const fn = (handler: string) => ({
      Ref: logicalIdOf('AWS::Lambda::Function', { Handler: handler }),
    });
    const errors = plain('Errors');
    expect(errors.map((alarm) => alarm.Dimensions[0].Value)).toEqual([
      fn(HTTP_HANDLER),
      fn(STREAM_HANDLER),
    ]);
    for (const alarm of errors) {
      expect(alarm).toMatchObject({ Namespace: 'AWS/Lambda', Statistic: 'Sum', Threshold: 0 });
    }
    expect(plain('IteratorAge')).toEqual([
      expect.objectContaining({
        Namespace: 'AWS/Lambda',
        Statistic: 'Maximum',
        Threshold: 60_000,
        Dimensions: [{ Name: 'FunctionName', Value: fn(STREAM_HANDLER) }],
      }),
    ]);
    expect(ITERATOR_AGE_THRESHOLD_MS).toBe(60_000);
  });

  it('alarms on batches given up on and on API 5xx', () => {
    expect(plain('ApproximateNumberOfMessagesVisible')).toEqual([
      expect.objectContaining({ Namespace: 'AWS/SQS', Threshold: 0 }),
    ]);
    expect(plain('5xx')).toEqual([
      expect.objectContaining({ Namespace: 'AWS/ApiGateway', Statistic: 'Sum', Threshold: 0 }),
    ]);
  });
});

describe('the CDK app', () => {
  it('prints a template that deploys without CDK assets or a bootstrap stack', () => {
    expect(json.Parameters.BootstrapVersion).toBeUndefined();
    expect(json.Rules).toBeUndefined();
    expect(Object.keys(template.findResources('AWS::CDK::Metadata'))).toEqual([]);
    expect(JSON.stringify(json)).not.toMatch(/cdk-hnb659fds|aws:cdk:path|aws:asset/);
  });

  it('with a Lambda package, makes it an asset instead of parameters', () => {
    const dir = mkdtempSync(join(tmpdir(), 'shop-infra-package-'));
    try {
      mkdirSync(join(dir, 'package', 'dist', 'src', 'entry'), { recursive: true });
      writeFileSync(join(dir, 'package', 'dist', 'src', 'entry', 'lambda.js'), '');
      const { stack } = createShopApp({
        tableName: 'ShopTest',
        lambdaPackage: join(dir, 'package'),
        outdir: join(dir, 'out'),
      });
      const withAsset = Template.fromStack(stack).toJSON();
      expect(withAsset.Parameters.LambdaCodeBucket).toBeUndefined();
      expect(json.Parameters.LambdaCodeBucket).toBeDefined();
      Template.fromJSON(withAsset).hasResourceProperties('AWS::Lambda::Function', {
        Handler: HTTP_HANDLER,
        Code: { S3Bucket: { 'Fn::Sub': Match.stringLikeRegexp('cdk-.*-assets-') } },
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
