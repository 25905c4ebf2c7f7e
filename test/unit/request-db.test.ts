import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { customerKey } from '../../src/models/customer.js';
import { RequestDb } from '../../src/store/request-db.js';

/** A document client that answers from a script, and counts what was sent. */
function scripted(answers: Array<() => unknown>) {
  const sent: string[] = [];
  const doc = {
    send: async (command: { constructor: { name: string } }) => {
      sent.push(command.constructor.name);
      const next = answers.shift();
      if (!next) throw new Error('no scripted answer left');
      return next();
    },
  } as unknown as DynamoDBDocumentClient;
  return { doc, sent };
}

const get = () => new GetCommand({ TableName: 'Shop', Key: { PK: 'P', SK: 'S' } });
const FOUND = { Item: { PK: 'P', SK: 'S' } };

/** A request whose first call fails with `error` and whose next call, if sent, finds an item. */
function failingOnce(error: Error) {
  const { doc, sent } = scripted([
    () => {
      throw error;
    },
    () => FOUND,
  ]);
  return { db: new RequestDb({ doc, tableName: 'Shop' }), sent };
}

const unreachable = () =>
  Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8000'), { code: 'ECONNREFUSED' });

describe('RequestDb: once DynamoDB is unreachable, the rest of the request fails at once', () => {
  it('throws the first unreachable error for later calls, without sending them', async () => {
    const error = unreachable();
    const { db, sent } = failingOnce(error);
    await expect(db.send(get())).rejects.toBe(error);
    await expect(db.send(get())).rejects.toBe(error);
    expect(sent).toEqual(['GetCommand']);
    expect(db.calls.get('GetItem')).toBe(1);
  });

  it('a new answer on the same request (a subscription event) starts afresh', async () => {
    const error = unreachable();
    const { db, sent } = failingOnce(error);
    await expect(db.send(get())).rejects.toBe(error);
    db.startAnswer();
    await expect(db.send(get())).resolves.toEqual(FOUND);
    expect(sent).toEqual(['GetCommand', 'GetCommand']);
  });

  it('goes on after an error that is not about reaching DynamoDB (throttling, a condition)', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), {
      name: 'ProvisionedThroughputExceededException',
    });
    const { db, sent } = failingOnce(throttled);
    await expect(db.send(get())).rejects.toBe(throttled);
    await expect(db.send(get())).resolves.toEqual(FOUND);
    expect(sent).toEqual(['GetCommand', 'GetCommand']);
  });

  it('a batch that waited for the failed call fails with it instead of going out', async () => {
    const timeout = Object.assign(new Error('Request timed out'), { name: 'TimeoutError' });
    const { doc, sent } = scripted([
      () => {
        throw timeout;
      },
    ]);
    const db = new RequestDb({ doc, tableName: 'Shop' });
    const query = db.send(get());
    // Queued while the call is in flight: it waits for the request to be idle.
    const item = db.items.load(customerKey('c1'));
    await expect(query).rejects.toBe(timeout);
    await expect(item).rejects.toBe(timeout);
    expect(sent).toEqual(['GetCommand']);
  });
});
