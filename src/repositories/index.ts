import type { CursorCodec } from '../store/cursor.js';
import type { RequestDb } from '../store/request-db.js';
import { CartRepository } from './carts.js';
import { CategoryRepository } from './categories.js';
import { CustomerRepository } from './customers.js';
import { InventoryRepository } from './inventory.js';
import type { RepositoryLimits } from './items.js';
import { OrderRepository } from './orders.js';
import { ProductRepository } from './products.js';
import { ReviewRepository } from './reviews.js';

export type Repositories = ReturnType<typeof createRepositories>;

/** The repositories of one request, sharing its RequestDb (and so its batching). */
export function createRepositories(
  db: RequestDb,
  cursors: CursorCodec,
  options: { orderStatusShards: number } & RepositoryLimits,
) {
  const limits: RepositoryLimits = { maxItemBytes: options.maxItemBytes };
  return {
    products: new ProductRepository(db, cursors, limits),
    inventory: new InventoryRepository(db),
    categories: new CategoryRepository(db, limits),
    reviews: new ReviewRepository(db, cursors, limits),
    customers: new CustomerRepository(db, limits),
    carts: new CartRepository(db),
    orders: new OrderRepository(db, cursors, options.orderStatusShards, limits),
  };
}
