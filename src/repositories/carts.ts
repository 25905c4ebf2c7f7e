import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  PutCommand,
  UpdateCommand,
  type UpdateCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { LIMITS } from '../domain/validation.js';
import { NotFoundError, ValidationError } from '../errors/domain.js';
import {
  CART_LINE_TTL_SECONDS,
  type CartLine,
  cartLineItem,
  cartLineKey,
  cartLinesQuery,
  isLive,
  toCartLine,
} from '../models/cart-line.js';
import { productKey } from '../models/product.js';
import { nowSeconds, ttlFromNow } from '../models/table-schema.js';
import type { RequestDb } from '../store/request-db.js';
import {
  conditionFailedItem,
  isOwnWrite,
  newWriteToken,
  tokenPut,
  tokenUpdate,
} from '../store/write-token.js';
import { LookAhead } from './look-ahead.js';

// Kept for scripts and test helpers that import these from here (src/models owns them).

/** An order takes at most 25 lines, so a cart holds at most 25 distinct products. */
export const MAX_CART_LINES = LIMITS.cartLines;
/** The most of one product a line may hold. */
export const MAX_LINE_QUANTITY = LIMITS.cartQuantity.max;
/** Reads and writes again when another request changed the same line in between. */
const MAX_WRITE_ATTEMPTS = 3;

/** Oldest line first, so that a line keeps its place when its quantity changes. */
function byAdded(a: CartLine, b: CartLine): number {
  return a.addedAt.localeCompare(b.addedAt) || a.productId.localeCompare(b.productId);
}

export class CartRepository {
  readonly #lookAhead = new LookAhead<CartLine[]>();

  constructor(private readonly db: RequestDb) {}

  /**
   * Access pattern 7: the live lines of a customer's cart. Query
   * `PK = CUSTOMER#cid AND begins_with(SK, CART#)`, ConsistentRead so that a customer sees their
   * own last change. Expired lines are dropped here; they may outnumber the live ones (TTL
   * deletion lags), so every page is read.
   */
  lines(customerId: string, now = Date.now()): Promise<CartLine[]> {
    return this.#lookAhead.take(customerId, () => this.#lines(customerId, now));
  }

  /**
   * Starts `lines` with the profile's read (the `me` look-ahead in src/schema/types/customer.ts):
   * the cart Query needs only the viewer's id.
   */
  prefetchLines(customerId: string): void {
    this.#lookAhead.start(customerId, () =>
      this.db.alongsideNextBatch(() => this.#lines(customerId, Date.now())),
    );
  }

  async #lines(customerId: string, now: number): Promise<CartLine[]> {
    const items = await this.db.queryAll(cartLinesQuery(customerId), { consistentRead: true });
    return items
      .map(toCartLine)
      .filter((line) => isLive(line, now))
      .sort(byAdded);
  }

  /**
   * Adds `quantity` of a product to the cart: to the line's quantity when the product is
   * already there (what shops do), or as a new line. Every change sets the line's expiry to
   * now + 7 days. Returns the cart's live lines after the change.
   *
   * Calls: a consistent read of the product (NotFoundError), the cart Query, then one write:
   * UpdateItem adding to a live line, or PutItem of a new line. Both are conditioned on what
   * the read saw, and a concurrent change of the same line makes it read and decide again.
   * The 25-line cap is checked on that read: concurrent adds of different products by the same
   * customer can pass it together, so placing an order still checks its own line count.
   * `quantity` has passed the schema's rule (1 to 99); the line's total needs the read.
   */
  async add(
    customerId: string,
    productId: string,
    quantity: number,
    now = Date.now(),
  ): Promise<CartLine[]> {
    const product = await this.db.consistentItems.load(productKey(productId));
    if (!product) throw new NotFoundError('Product', productId, 'Product not found');
    // The cart's total reads prices through the request's item cache: let it see this read.
    this.db.replaceCached(product);

    // One token for the add, whatever attempt writes: a re-send that meets it has applied.
    const token = newWriteToken();
    for (let attempt = 1; attempt <= MAX_WRITE_ATTEMPTS; attempt++) {
      const lines = await this.lines(customerId, now);
      const existing = lines.find((line) => line.productId === productId);
      if (!existing && lines.length >= MAX_CART_LINES) {
        throw new ValidationError(
          'productId',
          `a cart holds at most ${MAX_CART_LINES} different products: remove one first`,
        );
      }
      const total = (existing?.quantity ?? 0) + quantity;
      if (total > MAX_LINE_QUANTITY) {
        throw new ValidationError(
          'quantity',
          `at most ${MAX_LINE_QUANTITY} of a product per cart (the cart has ${existing?.quantity ?? 0})`,
        );
      }
      const at = new Date(now).toISOString();
      const expiresAt = ttlFromNow(CART_LINE_TTL_SECONDS, now);
      let written: CartLine;
      try {
        written = existing
          ? await this.#addTo(existing, quantity, at, expiresAt, now, token)
          : await this.#putNew(
              { customerId, productId, quantity, addedAt: at, updatedAt: at, expiresAt },
              now,
              token,
            );
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        // This add's own earlier send had applied: the line as it is now is the answer.
        if (isOwnWrite(error, token)) {
          written = toCartLine(unmarshall(conditionFailedItem(error) as never));
        } else {
          // The line changed since the read (a concurrent add, a removal, an expiry): read again.
          continue;
        }
      }
      return [...lines.filter((l) => l.productId !== productId), written].sort(byAdded);
    }
    throw new Error(
      `cart line ${customerId}/${productId} changed on each of ${MAX_WRITE_ATTEMPTS} attempts`,
    );
  }

  /**
   * A live line: its quantity grows atomically (concurrent adds all count), IF it is still live
   * and the total stays within the maximum.
   */
  async #addTo(
    line: CartLine,
    quantity: number,
    at: string,
    expiresAt: number,
    now: number,
    token: string,
  ): Promise<CartLine> {
    const output = await this.db.send<UpdateCommandOutput>(
      new UpdateCommand(
        tokenUpdate(
          {
            TableName: this.db.tableName,
            Key: cartLineKey(line.customerId, line.productId),
            UpdateExpression:
              'SET #quantity = #quantity + :quantity, #updatedAt = :at, #expiresAt = :expiresAt',
            ConditionExpression: '#expiresAt > :now AND #quantity <= :most',
            ExpressionAttributeNames: {
              '#quantity': 'quantity',
              '#updatedAt': 'updatedAt',
              '#expiresAt': 'expiresAt',
            },
            ExpressionAttributeValues: {
              ':quantity': quantity,
              ':at': at,
              ':expiresAt': expiresAt,
              ':now': nowSeconds(now),
              ':most': MAX_LINE_QUANTITY - quantity,
            },
            ReturnValues: 'ALL_NEW',
          },
          token,
        ),
      ),
    );
    if (!output.Attributes) throw new Error('UpdateItem with ALL_NEW returned no attributes');
    return toCartLine(output.Attributes);
  }

  /** No live line: a new one, IF the line is absent or expired (which counts as absent). */
  async #putNew(line: CartLine, now: number, token: string): Promise<CartLine> {
    await this.db.send(
      new PutCommand(
        tokenPut(
          {
            TableName: this.db.tableName,
            Item: cartLineItem(line),
            ConditionExpression: 'attribute_not_exists(PK) OR #expiresAt <= :now',
            ExpressionAttributeNames: { '#expiresAt': 'expiresAt' },
            ExpressionAttributeValues: { ':now': nowSeconds(now) },
          },
          token,
        ),
      ),
    );
    return line;
  }

  /** Removes a product's line (idempotent: a product not in the cart is no error). */
  async remove(customerId: string, productId: string, now = Date.now()): Promise<CartLine[]> {
    await this.db.send(
      new DeleteCommand({
        TableName: this.db.tableName,
        Key: cartLineKey(customerId, productId),
      }),
    );
    return this.lines(customerId, now);
  }
}
