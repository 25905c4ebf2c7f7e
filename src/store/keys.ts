/**
 * Kept only for scripts/crowd.ts, scripts/bench.ts, scripts/bench/dataset.ts and
 * test/helpers/fixtures.ts, which are being moved by other work: key strings live in src/models.
 * Delete this file once those import the models.
 */
import { customerPartition } from '../models/customer.js';
import { inventoryKey } from '../models/inventory.js';
import { orderKey } from '../models/order.js';
import { reviewerClaimKey } from '../models/reviewer-claim.js';

export { ttlFromNow } from '../models/table-schema.js';

export const keys = {
  customerPartition,
  inventory: inventoryKey,
  reviewerClaim: reviewerClaimKey,
  orderPrefix: () => orderKey('', '').SK,
};
