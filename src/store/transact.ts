import { randomUUID } from 'node:crypto';
import {
  IdempotentParameterMismatchException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import {
  TransactWriteCommand,
  type TransactWriteCommandInput,
  type TransactWriteCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import { type NativeAttributeValue, unmarshall } from '@aws-sdk/util-dynamodb';
import { ClientError } from '../errors/client.js';
import { TokenReusedError } from '../errors/store.js';
import type { Item } from './batch-get.js';
import type { RequestDb } from './request-db.js';

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** Why one action of a cancelled transaction failed, with the item as it was (ALL_OLD). */
export interface CancellationReason {
  code: string;
  message?: string;
  item?: Item;
}

/** A cancelled transaction, with one reason per action in the order they were sent. */
export class TransactionCancelled extends Error {
  override name = 'TransactionCancelled';
  constructor(readonly reasons: CancellationReason[]) {
    super(`transaction cancelled: ${reasons.map((r) => r.code).join(', ')}`);
  }
  /** The index of the first action that failed its condition, or -1. */
  firstConditionFailure(): number {
    return this.reasons.findIndex((r) => r.code === 'ConditionalCheckFailed');
  }
  conflicted(): boolean {
    return this.reasons.some((r) => r.code === 'TransactionConflict');
  }
}

/**
 * CancellationReasons[i].Item comes back as raw AttributeValues even through lib-dynamodb
 * (DESIGN.md "DynamoDB Local"), so unmarshall it here, once.
 */
export function parseCancellation(error: TransactionCanceledException): TransactionCancelled {
  return new TransactionCancelled(
    (error.CancellationReasons ?? []).map((reason) => {
      const raw = reason.Item as Record<string, unknown> | undefined;
      let item: Item | undefined;
      if (raw && Object.keys(raw).length > 0) {
        const first = Object.values(raw)[0];
        const marshalled =
          typeof first === 'object' &&
          first !== null &&
          Object.keys(first).length === 1 &&
          /^(S|N|B|SS|NS|BS|M|L|NULL|BOOL)$/.test(Object.keys(first)[0] ?? '');
        item = marshalled
          ? unmarshall(raw as never)
          : (raw as Record<string, NativeAttributeValue>);
      }
      return {
        code: reason.Code ?? 'Unknown',
        ...(reason.Message ? { message: reason.Message } : {}),
        ...(item ? { item } : {}),
      };
    }),
  );
}

/** The first backoff after a TransactionConflict, and the longest. */
const CONFLICT_BACKOFF_MS = { base: 20, max: 1_000 };

/**
 * TransactWriteItems through the request's db. Every transaction carries a ClientRequestToken
 * (the caller's, or a new one), so that a re-send after a timeout, by the SDK or by RequestDb,
 * is applied at most once. A cancellation becomes a TransactionCancelled with parsed reasons; a
 * TransactionConflict with another transaction (which says nothing about the request itself)
 * is retried with full jitter while the request's deadline leaves time for it.
 */
export async function transactWrite(
  db: RequestDb,
  items: TransactItem[],
  options: { clientRequestToken?: string } = {},
): Promise<TransactWriteCommandOutput> {
  const clientRequestToken = options.clientRequestToken ?? randomUUID();
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.send<TransactWriteCommandOutput>(
        new TransactWriteCommand({ TransactItems: items, ClientRequestToken: clientRequestToken }),
      );
    } catch (error) {
      if (error instanceof IdempotentParameterMismatchException) {
        throw new TokenReusedError(error.message);
      }
      if (!(error instanceof TransactionCanceledException)) throw error;
      const cancelled = parseCancellation(error);
      if (cancelled.conflicted() && cancelled.firstConditionFailure() === -1) {
        const delay =
          Math.random() *
          Math.min(CONFLICT_BACKOFF_MS.max, CONFLICT_BACKOFF_MS.base * 2 ** attempt);
        if (delay < db.remainingMs()) {
          await new Promise((resolve) => setTimeout(resolve, delay));
          continue;
        }
        // Nothing was written and nothing about the request is wrong: the client may retry.
        throw new ClientError(
          'The change met concurrent updates and was not applied: retry it',
          'SERVICE_UNAVAILABLE',
        );
      }
      throw cancelled;
    }
  }
}

/** Adds ReturnValuesOnConditionCheckFailure ALL_OLD to an action, to learn why it failed. */
export function withOldItem<T extends TransactItem>(action: T): T {
  const [kind, body] = Object.entries(action)[0] as [string, Record<string, unknown>];
  return { [kind]: { ...body, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } } as T;
}
