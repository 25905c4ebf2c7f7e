import {
  IdempotentParameterMismatchException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { RequestDb } from '../../src/dynamo/request-db.js';
import {
  parseCancellation,
  TokenReusedError,
  TransactionCancelled,
  transactWrite,
} from '../../src/dynamo/transact.js';
import { ClientError } from '../../src/errors.js';

function cancelled(reasons: Array<{ Code: string; Item?: Record<string, unknown> }>) {
  return new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: {},
    CancellationReasons: reasons as never,
  });
}

/** A document client that answers each send from a script: an error to throw, or a value. */
function scripted(answers: unknown[]) {
  let calls = 0;
  const doc = {
    send: async () => {
      const answer = answers[calls++];
      if (answer instanceof Error) throw answer;
      return answer ?? {};
    },
  } as unknown as DynamoDBDocumentClient;
  return { db: new RequestDb({ doc, tableName: 'Shop' }), calls: () => calls };
}

const PUT = { Put: { TableName: 'Shop', Item: { PK: 'a', SK: 'b' } } };

describe('parseCancellation', () => {
  it('unmarshalls the ALL_OLD item that DynamoDB returns raw, and keeps the order of actions', () => {
    const parsed = parseCancellation(
      cancelled([
        { Code: 'None' },
        { Code: 'ConditionalCheckFailed', Item: { stock: { N: '3' }, PK: { S: 'PRODUCT#1' } } },
      ]),
    );
    expect(parsed.reasons).toEqual([
      { code: 'None' },
      { code: 'ConditionalCheckFailed', item: { stock: 3, PK: 'PRODUCT#1' } },
    ]);
    expect(parsed.firstConditionFailure()).toBe(1);
    expect(parsed.conflicted()).toBe(false);
  });
});

describe('transactWrite', () => {
  it('retries a TransactionConflict, then succeeds', async () => {
    const fake = scripted([cancelled([{ Code: 'TransactionConflict' }, { Code: 'None' }]), {}]);
    await transactWrite(fake.db, [PUT]);
    expect(fake.calls()).toBe(2);
    expect(fake.db.calls.get('TransactWriteItems')).toBe(2);
  });

  it('after repeated conflicts gives the client a retryable error, not an internal one', async () => {
    const conflict = () => cancelled([{ Code: 'TransactionConflict' }]);
    const fake = scripted([conflict(), conflict(), conflict()]);
    const error = await transactWrite(fake.db, [PUT]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClientError);
    expect((error as ClientError).code).toBe('SERVICE_UNAVAILABLE');
    expect(fake.calls()).toBe(3);
  });

  it('never retries a failed condition: the reasons go to the caller', async () => {
    const fake = scripted([
      cancelled([{ Code: 'ConditionalCheckFailed' }, { Code: 'TransactionConflict' }]),
    ]);
    const error = await transactWrite(fake.db, [PUT]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransactionCancelled);
    expect(fake.calls()).toBe(1);
  });

  it('turns a ClientRequestToken reused with other parameters into TokenReusedError', async () => {
    const fake = scripted([
      new IdempotentParameterMismatchException({ message: 'mismatch', $metadata: {} }),
    ]);
    await expect(transactWrite(fake.db, [PUT], { clientRequestToken: 't' })).rejects.toBeInstanceOf(
      TokenReusedError,
    );
  });
});
