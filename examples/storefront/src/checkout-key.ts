/**
 * The idempotency key of the checkout in progress. It is made when the customer first presses
 * "Place order" and kept (in sessionStorage, so a reload keeps it too) until the gateway gives a
 * definite answer: a retry after a lost response or a 503 sends the same key, and the gateway
 * answers with the order it already placed instead of placing a second one.
 */
const KEY = 'storefront.checkout-key';

export function checkoutKey(): string {
  let key = sessionStorage.getItem(KEY);
  if (!key) {
    key = crypto.randomUUID();
    sessionStorage.setItem(KEY, key);
  }
  return key;
}

export function pendingCheckoutKey(): string | null {
  return sessionStorage.getItem(KEY);
}

/** After a definite answer (placed, or refused): the next checkout is a new order. */
export function endCheckout(): void {
  sessionStorage.removeItem(KEY);
}
