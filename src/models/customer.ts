import type { Customer } from '../domain/types.js';
import type { Item } from '../store/batch-get.js';
import { read } from './read.js';
import type { TableKey } from './table-schema.js';

/** Customer profile: `CUSTOMER#<cid>` / `PROFILE`. Cart lines, orders and idempotency records share the partition. */
export const CUSTOMER_ENTITY = 'Customer';

export function customerPartition(customerId: string): string {
  return `CUSTOMER#${customerId}`;
}

export function customerKey(customerId: string): TableKey {
  return { PK: customerPartition(customerId), SK: 'PROFILE' };
}

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
  return { ...customerKey(customer.id), entity: CUSTOMER_ENTITY, ...customer };
}
