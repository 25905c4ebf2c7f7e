import { afterAll, beforeAll, describe } from 'vitest';
import { documentOperations } from '../../src/dev/documents.js';
import {
  type StorefrontApp,
  startStorefrontApp,
  storefrontScenario,
} from '../helpers/storefront.js';

/**
 * Every operation of documents/ (the operations the gateway promises its clients), sent as
 * written to the app on the sample catalog, in the order a storefront, a customer and an admin
 * would use them; the subscriptions over SSE, fed by the stream.
 */
let storefront: StorefrontApp;
beforeAll(async () => {
  storefront = await startStorefrontApp('documents');
});
afterAll(async () => {
  await storefront?.stop();
});

describe('documents/ against the app', { timeout: 60_000 }, () => {
  storefrontScenario(documentOperations, () => storefront);
});
