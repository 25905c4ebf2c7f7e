import type {
  AttributeDefinition,
  CreateTableCommandInput,
  KeySchemaElement,
  Projection,
} from '@aws-sdk/client-dynamodb';
import { aws_dynamodb as dynamodb } from 'aws-cdk-lib';

/**
 * The CDK shape of the table, read from `tableDefinition()` (src/store/table.ts): the deployed
 * table and the one db:create, the embedded start and the tests create cannot drift apart.
 * Anything in the definition that this cannot carry over throws at synth rather than being
 * dropped from the deployed table.
 */
export interface TableShape {
  partitionKey: dynamodb.Attribute;
  sortKey?: dynamodb.Attribute;
  billingMode: dynamodb.BillingMode;
  stream: dynamodb.StreamViewType;
  globalSecondaryIndexes: dynamodb.GlobalSecondaryIndexProps[];
}

const ATTRIBUTE_TYPES: Record<string, dynamodb.AttributeType> = {
  S: dynamodb.AttributeType.STRING,
  N: dynamodb.AttributeType.NUMBER,
  B: dynamodb.AttributeType.BINARY,
};

const PROJECTION_TYPES: Record<string, dynamodb.ProjectionType> = {
  ALL: dynamodb.ProjectionType.ALL,
  KEYS_ONLY: dynamodb.ProjectionType.KEYS_ONLY,
  INCLUDE: dynamodb.ProjectionType.INCLUDE,
};

const STREAM_VIEW_TYPES: Record<string, dynamodb.StreamViewType> = {
  NEW_AND_OLD_IMAGES: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
  NEW_IMAGE: dynamodb.StreamViewType.NEW_IMAGE,
  OLD_IMAGE: dynamodb.StreamViewType.OLD_IMAGE,
  KEYS_ONLY: dynamodb.StreamViewType.KEYS_ONLY,
};

function lookup<T>(table: Record<string, T>, value: string | undefined, what: string): T {
  const found = value === undefined ? undefined : table[value];
  if (found === undefined) throw new Error(`tableDefinition(): unsupported ${what} ${value}`);
  return found;
}

function keys(
  schema: KeySchemaElement[] | undefined,
  definitions: AttributeDefinition[],
  what: string,
): { partitionKey: dynamodb.Attribute; sortKey?: dynamodb.Attribute } {
  const attribute = (keyType: 'HASH' | 'RANGE'): dynamodb.Attribute | undefined => {
    const name = schema?.find((element) => element.KeyType === keyType)?.AttributeName;
    if (name === undefined) return undefined;
    const definition = definitions.find((d) => d.AttributeName === name);
    return { name, type: lookup(ATTRIBUTE_TYPES, definition?.AttributeType, `${what} ${name}`) };
  };
  const partitionKey = attribute('HASH');
  if (!partitionKey) throw new Error(`tableDefinition(): ${what} has no HASH key`);
  const sortKey = attribute('RANGE');
  return sortKey ? { partitionKey, sortKey } : { partitionKey };
}

function projection(value: Projection | undefined, indexName: string) {
  const projectionType = lookup(PROJECTION_TYPES, value?.ProjectionType, `${indexName} projection`);
  return value?.NonKeyAttributes
    ? { projectionType, nonKeyAttributes: value.NonKeyAttributes }
    : { projectionType };
}

export function tableShape(definition: CreateTableCommandInput): TableShape {
  const definitions = definition.AttributeDefinitions ?? [];
  // Only on-demand is carried over: a provisioned table needs capacities (and autoscaling)
  // that the definition does not hold.
  if (definition.BillingMode !== 'PAY_PER_REQUEST') {
    throw new Error(`tableDefinition(): unsupported billing mode ${definition.BillingMode}`);
  }
  if (!definition.StreamSpecification?.StreamEnabled) {
    throw new Error('tableDefinition() has streams disabled: the stream function needs them');
  }
  if (definition.LocalSecondaryIndexes?.length) {
    throw new Error('tableDefinition(): local secondary indexes are not carried over');
  }
  const globalSecondaryIndexes = (definition.GlobalSecondaryIndexes ?? []).map((index) => {
    const indexName = index.IndexName;
    if (!indexName) throw new Error('tableDefinition(): an index has no IndexName');
    return {
      indexName,
      ...keys(index.KeySchema, definitions, indexName),
      ...projection(index.Projection, indexName),
    };
  });
  const shape: TableShape = {
    ...keys(definition.KeySchema, definitions, 'KeySchema'),
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    stream: lookup(
      STREAM_VIEW_TYPES,
      definition.StreamSpecification.StreamViewType,
      'stream view type',
    ),
    globalSecondaryIndexes,
  };
  // CDK writes AttributeDefinitions from the keys; a definition that no key uses would be
  // silently lost (and CloudFormation refuses unused ones anyway).
  const used = new Set(
    [shape, ...globalSecondaryIndexes].flatMap((k) => [k.partitionKey.name, k.sortKey?.name]),
  );
  for (const { AttributeName } of definitions) {
    if (!AttributeName || !used.has(AttributeName)) {
      throw new Error(`tableDefinition(): attribute ${AttributeName} is defined but is no key`);
    }
  }
  return shape;
}
