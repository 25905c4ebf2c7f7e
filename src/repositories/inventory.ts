import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand, type UpdateCommandOutput } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Inventory } from '../domain/types.js';
import { NotFoundError } from '../errors/domain.js';
import type { Item } from '../store/batch-get.js';
import { keys } from '../store/keys.js';
import type { RequestDb } from '../store/request-db.js';
import type { TransactItem } from '../store/transact.js';
import {
  conditionFailedItem,
  isOwnWrite,
  newWriteToken,
  tokenUpdate,
} from '../store/write-token.js';
import { loadItem, read } from './items.js';

export const INVENTORY_ENTITY = 'Inventory';

export function toInventory(item: Item): Inventory {
  read.entity(item, INVENTORY_ENTITY);
  return {
    productId: read.string(item, 'productId'),
    stock: read.int(item, 'stock'),
    updatedAt: read.string(item, 'updatedAt'),
  };
}

export function inventoryItem(inventory: Inventory): Item {
  return { ...keys.inventory(inventory.productId), entity: INVENTORY_ENTITY, ...inventory };
}

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
    const item = await loadItem(this.db.items, keys.inventory(productId));
    return item ? toInventory(item) : null;
  }

  /**
   * Adds stock with one UpdateItem `ADD stock :q` IF the inventory exists; ALL_NEW gives the new
   * figure, which replaces whatever this request had cached, so `stock` in the answer is current.
   * `quantity` has passed the schema's rule (LIMITS.restockQuantity).
   */
  async restock(productId: string, quantity: number, now = new Date()): Promise<Inventory> {
    const key = keys.inventory(productId);
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
    this.db.items.clear(key).prime(key, item);
    return toInventory(item);
  }
}
