import type { Inventory } from '../domain/types.js';
import type { Item } from '../store/batch-get.js';
import { productPartition } from './product.js';
import { read } from './read.js';
import type { TableKey } from './table-schema.js';

/** Inventory: `PRODUCT#<pid>` / `INVENTORY`, its own item so an order leaves the product item alone. */
export const INVENTORY_ENTITY = 'Inventory';

export function inventoryKey(productId: string): TableKey {
  return { PK: productPartition(productId), SK: 'INVENTORY' };
}

export function toInventory(item: Item): Inventory {
  read.entity(item, INVENTORY_ENTITY);
  return {
    productId: read.string(item, 'productId'),
    stock: read.int(item, 'stock'),
    updatedAt: read.string(item, 'updatedAt'),
  };
}

export function inventoryItem(inventory: Inventory): Item {
  return { ...inventoryKey(inventory.productId), entity: INVENTORY_ENTITY, ...inventory };
}
