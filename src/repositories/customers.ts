import type { Customer } from '../domain/types.js';
import { AlreadyExistsError, EmailTakenError } from '../errors/domain.js';
import type { Item } from '../store/batch-get.js';
import { assertItemFits } from '../store/item-size.js';
import { keys } from '../store/keys.js';
import type { RequestDb } from '../store/request-db.js';
import { TransactionCancelled, transactWrite } from '../store/transact.js';
import { loadItem, loadItems, type RepositoryLimits, read } from './items.js';

export const CUSTOMER_ENTITY = 'Customer';
export const EMAIL_CLAIM_ENTITY = 'EmailClaim';

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

/** The item that makes an email unique: its key is the lowercased email. */
export function emailClaimItem(email: string, customerId: string, createdAt: string): Item {
  return {
    ...keys.emailClaim(email),
    entity: EMAIL_CLAIM_ENTITY,
    email: email.toLowerCase(),
    customerId,
    createdAt,
  };
}

export class CustomerRepository {
  constructor(
    private readonly db: RequestDb,
    private readonly limits: RepositoryLimits = {},
  ) {}

  /** Access pattern 6: profiles by customer id, batched into BatchGetItem. */
  async getMany(ids: readonly string[]): Promise<Array<Customer | null | Error>> {
    const items = await loadItems(
      this.db.items,
      ids.map((id) => keys.customer(id)),
    );
    return items.map((item) => (item instanceof Error || item === null ? item : toCustomer(item)));
  }

  /** Access pattern 6 for one profile, in the same batch as `getMany` (a review's author). */
  async get(id: string): Promise<Customer | null> {
    const item = await loadItem(this.db.items, keys.customer(id));
    return item ? toCustomer(item) : null;
  }

  /**
   * Access pattern 6 for the viewer's own profile: a consistent read, so that `me` shows a
   * profile (and its orderCount) right after the write that made it.
   */
  async getOwn(id: string): Promise<Customer | null> {
    const item = await this.db.consistentItems.load(keys.customer(id));
    return item ? toCustomer(item) : null;
  }

  /**
   * Creates a profile and claims its email in one TransactWriteItems, both IF
   * attribute_not_exists(PK). Throws AlreadyExistsError when the customer has a profile,
   * EmailTakenError when the email (case-insensitively) belongs to someone else.
   */
  async create(customer: Customer): Promise<Customer> {
    const item = customerItem(customer);
    assertItemFits(item, {
      maxBytes: this.limits.maxItemBytes,
      fields: { name: 'input.name', email: 'input.email' },
    });
    try {
      await transactWrite(this.db, [
        {
          Put: {
            TableName: this.db.tableName,
            Item: item,
            ConditionExpression: 'attribute_not_exists(PK)',
          },
        },
        {
          Put: {
            TableName: this.db.tableName,
            Item: emailClaimItem(customer.email, customer.id, customer.createdAt),
            ConditionExpression: 'attribute_not_exists(PK)',
          },
        },
      ]);
    } catch (error) {
      if (!(error instanceof TransactionCancelled)) throw error;
      const [profile, claim] = error.reasons;
      // A second profile is the fault to report even when the email is taken too: usually it
      // is the viewer's own email, claimed by the first profile.
      if (profile?.code === 'ConditionalCheckFailed') {
        throw new AlreadyExistsError(CUSTOMER_ENTITY, customer.id);
      }
      if (claim?.code === 'ConditionalCheckFailed') throw new EmailTakenError(customer.email);
      throw error;
    }
    const key = keys.customer(customer.id);
    this.db.consistentItems.clear(key).prime(key, item);
    this.db.items.clear(key).prime(key, item);
    return customer;
  }
}
