import type { Inventory } from '../domain/types.js';
import type { Item } from '../dynamo/batch-get.js';
import { keys } from '../dynamo/keys.js';
import type { RequestDb } from '../dynamo/request-db.js';
import { read } from './items.js';

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

export class InventoryRepository {
  constructor(private readonly db: RequestDb) {}

  /** Access pattern 1 (stock): the INVENTORY items, batched with every other key read. */
  async getMany(productIds: readonly string[]): Promise<Array<Inventory | null | Error>> {
    const items = await this.db.items.loadMany(productIds.map((id) => keys.inventory(id)));
    return items.map((item) => (item instanceof Error || item === null ? item : toInventory(item)));
  }
}
