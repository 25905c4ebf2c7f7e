import {
  ConditionalCheckFailedException,
  ThrottlingException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import {
  attemptMayHaveApplied,
  isIdempotentWrite,
  settlesOutcome,
} from '../../src/store/outcome.js';
import { isOwnWrite, tokenPut, tokenUpdate } from '../../src/store/write-token.js';

const withCode = (message: string, code: string, name = 'Error') =>
  Object.assign(new Error(message), { code, name });

describe('attemptMayHaveApplied', () => {
  it('is false only when the request provably never reached DynamoDB, or DynamoDB answered below 500', () => {
    const notApplied = [
      withCode('connect ECONNREFUSED 127.0.0.1:8000', 'ECONNREFUSED'),
      withCode('getaddrinfo ENOTFOUND dynamodb', 'ENOTFOUND'),
      Object.assign(
        new Error(
          '@smithy/node-http-handler - the request socket did not establish a connection with the server within the configured timeout of 1000 ms.',
        ),
        { name: 'TimeoutError' },
      ),
      new ConditionalCheckFailedException({
        message: 'failed',
        $metadata: { httpStatusCode: 400 },
      }),
    ];
    for (const error of notApplied) expect(attemptMayHaveApplied(error), error.message).toBe(false);
    const mayHave = [
      withCode(
        'a request has exceeded the configured 3000 ms requestTimeout',
        'ETIMEDOUT',
        'TimeoutError',
      ),
      withCode('socket hang up', 'ECONNRESET', 'TimeoutError'),
      withCode('write EPIPE', 'EPIPE'),
      Object.assign(new Error('Internal server error'), {
        name: 'InternalServerError',
        $metadata: { httpStatusCode: 500 },
      }),
    ];
    for (const error of mayHave) expect(attemptMayHaveApplied(error), error.message).toBe(true);
  });
});

describe('write tokens', () => {
  it('stamp an update in its SET clause and apply it only if the item does not carry the token yet', () => {
    const input = tokenUpdate(
      {
        TableName: 'Shop',
        Key: { PK: 'INVENTORY#1', SK: 'INVENTORY' },
        UpdateExpression: 'ADD #stock :q SET #updatedAt = :now',
        ConditionExpression: 'attribute_exists(#pk)',
        ExpressionAttributeNames: { '#stock': 'stock', '#updatedAt': 'updatedAt', '#pk': 'PK' },
        ExpressionAttributeValues: { ':q': 5, ':now': 'now' },
      },
      'token-1',
    );
    expect(input.UpdateExpression).toBe(
      'ADD #stock :q SET #writeToken = :writeToken, #updatedAt = :now',
    );
    expect(input.ConditionExpression).toBe(
      '(attribute_exists(#pk)) AND (attribute_not_exists(#writeToken) OR #writeToken <> :writeToken)',
    );
    expect(input.ExpressionAttributeValues).toEqual({
      ':q': 5,
      ':now': 'now',
      ':writeToken': 'token-1',
    });
    expect(input.ReturnValuesOnConditionCheckFailure).toBe('ALL_OLD');
    expect(isIdempotentWrite('UpdateItem', input)).toBe(true);
    // An update without a SET clause gets one.
    expect(
      tokenUpdate({ TableName: 'Shop', Key: {}, UpdateExpression: 'ADD #n :one' }, 't')
        .UpdateExpression,
    ).toBe('ADD #n :one SET #writeToken = :writeToken');
  });

  it('stamp a put in its item, and tell their own earlier send from someone else’s write', () => {
    const input = tokenPut(
      {
        TableName: 'Shop',
        Item: { PK: 'a', SK: 'b' },
        ConditionExpression: 'attribute_not_exists(PK)',
      },
      'token-2',
    );
    expect(input.Item).toEqual({ PK: 'a', SK: 'b', writeToken: 'token-2' });
    expect(isIdempotentWrite('PutItem', input)).toBe(true);
    const own = Object.assign(new Error('failed'), { Item: { writeToken: { S: 'token-2' } } });
    const other = Object.assign(new Error('failed'), { Item: { writeToken: { S: 'token-3' } } });
    expect(isOwnWrite(own, 'token-2')).toBe(true);
    expect(isOwnWrite(other, 'token-2')).toBe(false);
    expect(isOwnWrite(new Error('no item'), 'token-2')).toBe(false);
  });

  it('only writes that cannot apply twice count as idempotent', () => {
    expect(isIdempotentWrite('TransactWriteItems', { ClientRequestToken: 'x' })).toBe(true);
    expect(isIdempotentWrite('TransactWriteItems', {})).toBe(false);
    expect(isIdempotentWrite('UpdateItem', { UpdateExpression: 'ADD #n :one' })).toBe(false);
    expect(isIdempotentWrite('DeleteItem', { Key: {} })).toBe(true);
    expect(isIdempotentWrite('DeleteItem', { Key: {}, ConditionExpression: 'x' })).toBe(false);
    expect(isIdempotentWrite('BatchWriteItem', {})).toBe(false);
  });
});

describe('settlesOutcome', () => {
  const meta = { $metadata: { httpStatusCode: 400 } };
  const cancelled = (codes: string[]) =>
    new TransactionCanceledException({
      message: 'cancelled',
      ...meta,
      CancellationReasons: codes.map((Code) => ({ Code })),
    });
  it('ends the re-sending only on an answer that says what became of the write', () => {
    expect(settlesOutcome(new ConditionalCheckFailedException({ message: 'x', ...meta }))).toBe(
      true,
    );
    expect(settlesOutcome(cancelled(['None', 'ConditionalCheckFailed']))).toBe(true);
    // Said nothing about the first send: keep going.
    expect(settlesOutcome(new ThrottlingException({ message: 'x', ...meta }))).toBe(false);
    expect(settlesOutcome(cancelled(['TransactionConflict', 'None']))).toBe(false);
    expect(
      settlesOutcome(
        Object.assign(new Error('in progress'), {
          name: 'TransactionInProgressException',
          ...meta,
        }),
      ),
    ).toBe(false);
    expect(settlesOutcome(withCode('socket hang up', 'ECONNRESET', 'TimeoutError'))).toBe(false);
  });
});
