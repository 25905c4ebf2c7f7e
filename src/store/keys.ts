/**
 * Every key string of the single-table design, one function per access pattern
 * (see DESIGN.md "The table"). Repositories never write a key string inline.
 */

export interface TableKey {
  PK: string;
  SK: string;
}

/** Sort keys order lexicographically, so prices are zero-padded to 12 digits. */
export function padCents(cents: number): string {
  if (!Number.isSafeInteger(cents) || cents < 0 || cents > 999_999_999_999) {
    throw new RangeError(`price out of range: ${cents}`);
  }
  return String(cents).padStart(12, '0');
}

export const keys = {
  customer: (cid: string): TableKey => ({ PK: `CUSTOMER#${cid}`, SK: 'PROFILE' }),
  emailClaim: (email: string): TableKey => ({
    PK: `EMAIL#${email.toLowerCase()}`,
    SK: 'EMAIL',
  }),
  category: (slug: string): TableKey => ({ PK: 'CATEGORIES', SK: `CATEGORY#${slug}` }),
  categoriesPartition: () => 'CATEGORIES',
  categoryPrefix: () => 'CATEGORY#',
  product: (pid: string): TableKey => ({ PK: `PRODUCT#${pid}`, SK: 'PRODUCT' }),
  inventory: (pid: string): TableKey => ({ PK: `PRODUCT#${pid}`, SK: 'INVENTORY' }),
  review: (pid: string, reviewId: string): TableKey => ({
    PK: `PRODUCT#${pid}`,
    SK: `REVIEW#${reviewId}`,
  }),
  reviewerClaim: (pid: string, cid: string): TableKey => ({
    PK: `PRODUCT#${pid}`,
    SK: `REVIEWER#${cid}`,
  }),
  reviewsPartition: (pid: string) => `PRODUCT#${pid}`,
  reviewPrefix: () => 'REVIEW#',
  cartLine: (cid: string, pid: string): TableKey => ({ PK: `CUSTOMER#${cid}`, SK: `CART#${pid}` }),
  cartPrefix: () => 'CART#',
  customerPartition: (cid: string) => `CUSTOMER#${cid}`,
  order: (cid: string, oid: string): TableKey => ({ PK: `CUSTOMER#${cid}`, SK: `ORDER#${oid}` }),
  orderPrefix: () => 'ORDER#',
  idempotency: (cid: string, key: string): TableKey => ({
    PK: `CUSTOMER#${cid}`,
    SK: `IDEMPOTENCY#${key}`,
  }),

  /** GSI1: products of a category by price. */
  productByCategory: (slug: string, priceCents: number, pid: string) => ({
    GSI1PK: `CATEGORY#${slug}`,
    GSI1SK: `PRICE#${padCents(priceCents)}#${pid}`,
  }),
  categoryProductsPartition: (slug: string) => `CATEGORY#${slug}`,
  /** Inclusive GSI1SK bounds for a price range; `~` sorts after every id character. */
  priceRange: (minCents: number | null | undefined, maxCents: number | null | undefined) => ({
    from: `PRICE#${padCents(minCents ?? 0)}#`,
    to: `PRICE#${padCents(maxCents ?? 999_999_999_999)}#~`,
  }),

  /** GSI2: the sparse featured index. */
  featuredProduct: (updatedAt: string, pid: string) => ({
    GSI2PK: 'FEATURED',
    GSI2SK: `${updatedAt}#${pid}`,
  }),
  featuredPartition: () => 'FEATURED',

  /** GSI2: orders by status, write-sharded. */
  orderByStatus: (status: string, shard: number, createdAt: string, oid: string) => ({
    GSI2PK: `ORDERSTATUS#${status}#${shard}`,
    GSI2SK: `${createdAt}#${oid}`,
  }),
  orderStatusPartition: (status: string, shard: number) => `ORDERSTATUS#${status}#${shard}`,
};

/** A stable string for a table key, for maps and DataLoader cache keys. */
export function keyId(key: TableKey): string {
  return `${key.PK}\u0000${key.SK}`;
}

/** DynamoDB TTL wants epoch seconds; the API shows ISO strings. */
export function ttlFromNow(seconds: number, now = Date.now()): number {
  return Math.floor(now / 1000) + seconds;
}

export function ttlToIso(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString();
}
