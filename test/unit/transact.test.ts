import {
  IdempotentParameterMismatchException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { ClientError } from '../../src/errors/client.js';
import { TokenReusedError } from '../../src/errors/store.js';
import { productPartition } from '../../src/models/product.js';
import { RequestDb } from '../../src/store/request-db.js';
import {
  parseCancellation,
  TransactionCancelled,
  transactWrite,
} from '../../src/store/transact.js';

function cancelled(reasons: Array<{ Code: string; Item?: Record<string, unknown> }>) {
  return new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: {},
    CancellationReasons: reasons as never,
  });
}

/**
 * A document client that answers each send from a script: an error to throw, or a value
 * (`repeat`: the last answer again, forever). Records when each send came.
 */
function scripted(answers: unknown[], options: { deadlineMs?: number; repeat?: boolean } = {}) {
  let calls = 0;
  const sentAt: number[] = [];
  const doc = {
    send: async () => {
      sentAt.push(performance.now());
      const answer = options.repeat
        ? answers[Math.min(calls++, answers.length - 1)]
        : answers[calls++];
      if (answer instanceof Error) throw answer;
      return answer ?? {};
    },
  } as unknown as DynamoDBDocumentClient;
  const db = new RequestDb({
    doc,
    tableName: 'Shop',
    ...(options.deadlineMs ? { deadlineMs: options.deadlineMs } : {}),
  });
  return { db, calls: () => calls, sentAt };
}

const PUT = { Put: { TableName: 'Shop', Item: { PK: 'a', SK: 'b' } } };

describe('parseCancellation', () => {
  it('unmarshalls the ALL_OLD item that DynamoDB returns raw, and keeps the order of actions', () => {
    const parsed = parseCancellation(
      cancelled([
        { Code: 'None' },
        {
          Code: 'ConditionalCheckFailed',
          Item: { stock: { N: '3' }, PK: { S: productPartition('1') } },
        },
      ]),
    );
    expect(parsed.reasons).toEqual([
      { code: 'None' },
      { code: 'ConditionalCheckFailed', item: { stock: 3, PK: productPartition('1') } },
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

  it('retries conflicts with jittered, growing backoff until the deadline, then gives the client a retryable error', async () => {
    const conflict = cancelled([{ Code: 'TransactionConflict' }]);
    const fake = scripted([conflict], { deadlineMs: 600, repeat: true });
    const started = performance.now();
    const error = await transactWrite(fake.db, [PUT]).catch((e: unknown) => e);
    const elapsed = performance.now() - started;
    expect(error).toBeInstanceOf(ClientError);
    expect((error as ClientError).code).toBe('SERVICE_UNAVAILABLE');
    // More than a fixed three tries, and never past the deadline.
    expect(fake.calls()).toBeGreaterThan(3);
    expect(elapsed).toBeLessThan(600);
    // Full jitter: the waits are not one fixed interval.
    const gaps = fake.sentAt.slice(1).map((at, i) => at - (fake.sentAt[i] ?? at));
    expect(new Set(gaps.map((gap) => Math.round(gap))).size).toBeGreaterThan(1);
  });

  it('sends every transaction with a ClientRequestToken, the same one on a conflict retry', async () => {
    const tokens: unknown[] = [];
    const doc = {
      send: async (command: { input: { ClientRequestToken?: string } }) => {
        tokens.push(command.input.ClientRequestToken);
        if (tokens.length === 1) throw cancelled([{ Code: 'TransactionConflict' }]);
        return {};
      },
    } as unknown as DynamoDBDocumentClient;
    await transactWrite(new RequestDb({ doc, tableName: 'Shop' }), [PUT]);
    expect(tokens).toHaveLength(2);
    expect(typeof tokens[0]).toBe('string');
    expect(tokens[1]).toBe(tokens[0]);
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
