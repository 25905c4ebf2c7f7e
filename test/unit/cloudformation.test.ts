import { describe, expect, it } from 'vitest';
import { cloudFormationTemplate } from '../../src/dev/cloudformation.js';
import { TABLE_SCHEMA } from '../../src/models/table-schema.js';
import { tableDefinition } from '../../src/store/table.js';

const template = cloudFormationTemplate('ShopTest');
const table = template.Resources.Table;
const definition = tableDefinition('ShopTest');

describe('cloudFormationTemplate', () => {
  it('is one AWS::DynamoDB::Table that survives stack deletion and replacement', () => {
    expect(Object.keys(template.Resources)).toEqual(['Table']);
    expect(table.Type).toBe('AWS::DynamoDB::Table');
    expect(table.DeletionPolicy).toBe('Retain');
    expect(table.UpdateReplacePolicy).toBe('Retain');
  });

  it('has the keys, attribute definitions and indexes of tableDefinition()', () => {
    expect(table.Properties.KeySchema).toEqual(definition.KeySchema);
    expect(table.Properties.AttributeDefinitions).toEqual(definition.AttributeDefinitions);
    expect(table.Properties.GlobalSecondaryIndexes).toEqual(
      definition.GlobalSecondaryIndexes?.map(({ IndexName, KeySchema, Projection }) => ({
        IndexName,
        KeySchema,
        Projection,
      })),
    );
    // And these are the design's generic keys, so an empty definition cannot pass the above.
    expect(table.Properties.KeySchema).toEqual([
      { AttributeName: 'PK', KeyType: 'HASH' },
      { AttributeName: 'SK', KeyType: 'RANGE' },
    ]);
    expect(table.Properties.GlobalSecondaryIndexes.map((index) => index.IndexName)).toEqual(
      Object.keys(TABLE_SCHEMA.indexes),
    );
  });

  it('every key attribute is defined, and every definition is a key (CloudFormation requires both)', () => {
    const keyAttributes = new Set([
      ...table.Properties.KeySchema.map((key) => key.AttributeName),
      ...table.Properties.GlobalSecondaryIndexes.flatMap((index) =>
        index.KeySchema.map((key) => key.AttributeName),
      ),
    ]);
    const defined = table.Properties.AttributeDefinitions.map((a) => a.AttributeName);
    expect(new Set(defined)).toEqual(keyAttributes);
    expect(defined).toHaveLength(keyAttributes.size);
  });

  it('is on-demand, with no provisioned throughput anywhere', () => {
    expect(table.Properties.BillingMode).toBe('PAY_PER_REQUEST');
    expect(JSON.stringify(template)).not.toContain('ProvisionedThroughput');
  });

  it('streams NEW_AND_OLD_IMAGES, in the shape CloudFormation accepts', () => {
    expect(table.Properties.StreamSpecification).toEqual({
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    });
    expect(table.Properties.StreamSpecification.StreamViewType).toBe(
      definition.StreamSpecification?.StreamViewType,
    );
  });

  it('expires items on expiresAt and has point-in-time recovery on', () => {
    expect(table.Properties.TimeToLiveSpecification).toEqual({
      AttributeName: TABLE_SCHEMA.ttlAttribute,
      Enabled: true,
    });
    expect(TABLE_SCHEMA.ttlAttribute).toBe('expiresAt');
    expect(table.Properties.PointInTimeRecoverySpecification).toEqual({
      PointInTimeRecoveryEnabled: true,
    });
  });

  it('takes the table name from a parameter that defaults to the given name', () => {
    expect(template.Parameters.TableName.Default).toBe('ShopTest');
    expect(table.Properties.TableName).toEqual({ Ref: 'TableName' });
    expect(cloudFormationTemplate('Other').Parameters.TableName.Default).toBe('Other');
    expect(new RegExp(`^${template.Parameters.TableName.AllowedPattern}$`).test('ShopTest')).toBe(
      true,
    );
    expect(new RegExp(`^${template.Parameters.TableName.AllowedPattern}$`).test('ab')).toBe(false);
  });

  it('outputs the table name, its ARN and its stream ARN', () => {
    expect(template.Outputs.TableName.Value).toEqual({ Ref: 'Table' });
    expect(template.Outputs.TableArn.Value).toEqual({ 'Fn::GetAtt': ['Table', 'Arn'] });
    expect(template.Outputs.StreamArn.Value).toEqual({ 'Fn::GetAtt': ['Table', 'StreamArn'] });
    expect(template.Outputs.StreamArn.Export.Name).toEqual({
      'Fn::Sub': `\${AWS::StackName}-StreamArn`,
    });
  });

  it('is plain JSON: printing and parsing it gives the same template', () => {
    expect(JSON.parse(JSON.stringify(template))).toEqual(template);
    expect(template.AWSTemplateFormatVersion).toBe('2010-09-09');
  });
});
