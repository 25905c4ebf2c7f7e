import { randomUUID } from 'node:crypto';
import type { PutCommandInput, UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { WRITE_TOKEN_VALUE } from './outcome.js';

/**
 * Single-item writes that can be sent twice. The item is stamped with the write's token, and
 * the write applies only if the item does not carry that token already, so a re-send after a
 * timeout (by the SDK or by RequestDb) cannot apply it twice; when a re-send fails its condition,
 * the item it returns (ALL_OLD) tells whether it failed because the first send had applied.
 * A transaction gets the same from its ClientRequestToken (transact.ts).
 */

export const WRITE_TOKEN_ATTRIBUTE = 'writeToken';
const NAME = '#writeToken';

export function newWriteToken(): string {
  return randomUUID();
}

const notYetApplied = `(attribute_not_exists(${NAME}) OR ${NAME} <> ${WRITE_TOKEN_VALUE})`;

function guarded<T extends UpdateCommandInput | PutCommandInput>(input: T, token: string): T {
  return {
    ...input,
    ConditionExpression: input.ConditionExpression
      ? `(${input.ConditionExpression}) AND ${notYetApplied}`
      : notYetApplied,
    ExpressionAttributeNames: { ...input.ExpressionAttributeNames, [NAME]: WRITE_TOKEN_ATTRIBUTE },
    ExpressionAttributeValues: { ...input.ExpressionAttributeValues, [WRITE_TOKEN_VALUE]: token },
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  };
}

/** An UpdateItem that sets the token in its SET clause (one is added if it has none). */
export function tokenUpdate(input: UpdateCommandInput, token: string): UpdateCommandInput {
  const expression = input.UpdateExpression ?? '';
  const set = /\bSET\s+/.exec(expression);
  const stamped = set
    ? `${expression.slice(0, set.index)}SET ${NAME} = ${WRITE_TOKEN_VALUE}, ${expression.slice(set.index + set[0].length)}`
    : `${expression} SET ${NAME} = ${WRITE_TOKEN_VALUE}`.trim();
  return guarded({ ...input, UpdateExpression: stamped }, token);
}

/** A PutItem whose item carries the token. */
export function tokenPut(input: PutCommandInput, token: string): PutCommandInput {
  return guarded({ ...input, Item: { ...input.Item, [WRITE_TOKEN_ATTRIBUTE]: token } }, token);
}

/**
 * Whether a failed condition was this write's own earlier send: the item as it is carries the
 * token. (ALL_OLD on a ConditionalCheckFailedException comes back as raw AttributeValues.)
 */
export function isOwnWrite(error: unknown, token: string): boolean {
  const item = (error as { Item?: Record<string, unknown> } | undefined)?.Item;
  const stamped = item?.[WRITE_TOKEN_ATTRIBUTE] as { S?: unknown } | string | undefined;
  return stamped === token || (typeof stamped === 'object' && stamped?.S === token);
}

/** The item of a ConditionalCheckFailedException (ALL_OLD), unmarshalled by the caller's reader. */
export function conditionFailedItem(error: unknown): Record<string, unknown> | undefined {
  return (error as { Item?: Record<string, unknown> } | undefined)?.Item;
}
