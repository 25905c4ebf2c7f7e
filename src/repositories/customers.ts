import type { Customer } from '../domain/types.js';
import type { Item } from '../dynamo/batch-get.js';
import { keys } from '../dynamo/keys.js';
import type { RequestDb } from '../dynamo/request-db.js';
import { read } from './items.js';

export const CUSTOMER_ENTITY = 'Customer';

export function toCustomer(item: Item): Customer {
  read.entity(item, CUSTOMER_ENTITY);
  return {
    id: read.string(item, 'id'),
    name: read.string(item, 'name'),
    email: read.string(item, 'email'),
    orderCount: read.int(item, 'orderCount', 0),
    createdAt: read.string(item, 'createdAt'),
  };
}

export function customerItem(customer: Customer): Item {
  return { ...keys.customer(customer.id), entity: CUSTOMER_ENTITY, ...customer };
}

export class CustomerRepository {
  constructor(private readonly db: RequestDb) {}

  /** Access pattern 6: profiles by customer id, batched into BatchGetItem. */
  async getMany(ids: readonly string[]): Promise<Array<Customer | null | Error>> {
    const items = await this.db.items.loadMany(ids.map((id) => keys.customer(id)));
    return items.map((item) => (item instanceof Error || item === null ? item : toCustomer(item)));
  }
}
