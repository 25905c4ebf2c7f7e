import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand, type UpdateCommandOutput } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Inventory } from '../domain/types.js';
import { NotFoundError } from '../errors/domain.js';
import { inventoryItem, inventoryKey, toInventory } from '../models/inventory.js';
import type { Item } from '../store/batch-get.js';
import type { RequestDb } from '../store/request-db.js';
import type { TransactItem } from '../store/transact.js';
import {
  conditionFailedItem,
  isOwnWrite,
  newWriteToken,
  tokenUpdate,
} from '../store/write-token.js';
import { loadItem } from './items.js';

// Kept for scripts and test helpers that import the codec from here (src/models owns it).

/** The inventory half of createProduct's transaction: a new INVENTORY item, never an overwrite. */
export function newInventoryPut(tableName: string, inventory: Inventory): TransactItem {
  return {
    Put: {
      TableName: tableName,
      Item: inventoryItem(inventory),
      ConditionExpression: 'attribute_not_exists(#pk)',
      ExpressionAttributeNames: { '#pk': 'PK' },
    },
  };
}

export class InventoryRepository {
  constructor(private readonly db: RequestDb) {}

  /**
   * Access pattern 1 (stock): a product's INVENTORY item, batched with every other key read
   * (a product's `stock`, twenty on a CategoryPage); an Error for the key rejects.
   */
  async get(productId: string): Promise<Inventory | null> {
    const item = await loadItem(this.db.items, inventoryKey(productId));
    return item ? toInventory(item) : null;
  }

  /**
   * Queues INVENTORY keys in the request's batch without waiting for them (Product.stock's
   * look-ahead, src/schema/prefetch.ts): `get` later finds them in the item cache, and reports
   * an error, if any, to the field that asks.
   */
  prefetch(productIds: readonly string[]): void {
    for (const id of productIds) this.db.items.load(inventoryKey(id)).catch(() => undefined);
  }

  /** The stream's new image of an INVENTORY item stands for the item: `get` costs no call. */
  primeFromStream(productId: string, item: Item): void {
    this.db.items.prime(inventoryKey(productId), item);
  }

  /**
   * Adds stock with one UpdateItem `ADD stock :q` IF the inventory exists; ALL_NEW gives the new
   * figure, which replaces whatever this request had cached, so `stock` in the answer is current.
   * `quantity` has passed the schema's rule (LIMITS.restockQuantity).
   */
  async restock(productId: string, quantity: number, now = new Date()): Promise<Inventory> {
    const key = inventoryKey(productId);
    // ADD is not idempotent: the write token keeps a re-sent restock from adding twice.
    const token = newWriteToken();
    let item: Item | undefined;
    try {
      const output = await this.db.send<UpdateCommandOutput>(
        new UpdateCommand(
          tokenUpdate(
            {
              TableName: this.db.tableName,
              Key: key,
              UpdateExpression: 'ADD #stock :q SET #updatedAt = :now',
              ConditionExpression: 'attribute_exists(#pk)',
              ExpressionAttributeNames: {
                '#stock': 'stock',
                '#updatedAt': 'updatedAt',
                '#pk': 'PK',
              },
              ExpressionAttributeValues: { ':q': quantity, ':now': now.toISOString() },
              ReturnValues: 'ALL_NEW',
            },
            token,
          ),
        ),
      );
      item = output.Attributes;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      // A re-send after the first one had applied: the item as it is now is the answer.
      if (!isOwnWrite(error, token)) throw new NotFoundError('Product', productId);
      item = unmarshall(conditionFailedItem(error) as never);
    }
    if (!item) throw new Error(`UpdateItem on ${key.PK}/${key.SK} returned no attributes`);
    this.db.replaceCached(item);
    return toInventory(item);
  }
}
