import type { Customer } from '../domain/types.js';
import { AlreadyExistsError, EmailTakenError } from '../errors/domain.js';
import { CUSTOMER_ENTITY, customerItem, customerKey, toCustomer } from '../models/customer.js';
import { emailClaimItem } from '../models/email-claim.js';
import { assertItemFits } from '../store/item-size.js';
import type { RequestDb } from '../store/request-db.js';
import { TransactionCancelled, transactWrite } from '../store/transact.js';
import { getMany, loadItem, type RepositoryLimits } from './items.js';

// Kept for scripts and test helpers that import the codec from here (src/models owns it).

export class CustomerRepository {
  constructor(
    private readonly db: RequestDb,
    private readonly limits: RepositoryLimits = {},
  ) {}

  /** Access pattern 6: profiles by customer id, batched into BatchGetItem. */
  getMany(ids: readonly string[]): Promise<Array<Customer | null | Error>> {
    return getMany(this.db.items, ids, customerKey, toCustomer);
  }

  /** Access pattern 6 for one profile, in the same batch as `getMany` (a review's author). */
  async get(id: string): Promise<Customer | null> {
    const item = await loadItem(this.db.items, customerKey(id));
    return item ? toCustomer(item) : null;
  }

  /**
   * Access pattern 6 for the viewer's own profile: a consistent read, so that `me` shows a
   * profile (and its orderCount) right after the write that made it.
   */
  async getOwn(id: string): Promise<Customer | null> {
    const item = await this.db.consistentItems.load(customerKey(id));
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
    this.db.replaceCached(item, { consistent: true });
    return customer;
  }
}
