import type { Context } from '../app/context.js';
import type { HistoryArgs } from '../repositories/orders.js';
import type { CategoryProductsArgs } from '../repositories/products.js';
import { cursorBinding } from '../store/cursor.js';
import type { PageArgs } from '../store/paginate.js';

/*
 * What each list's cursors are bound to (src/store/cursor.ts). Each is shared by the list's
 * field and the look-ahead of its parent (src/schema/prefetch.ts), which start the same page:
 * the field takes the page read ahead by this binding.
 */

/** A category's products: the category and the price filters. */
export function productsBinding(slug: string, args: CategoryProductsArgs): string {
  return cursorBinding(`Category.products:${slug}`, { ...args });
}

/** A product's reviews. */
export function reviewsBinding(productId: string, args: PageArgs): string {
  return cursorBinding(`Product.reviews:${productId}`, { ...args });
}

/** A customer's orders: the list, its date filters and the viewer. */
export function ordersBinding(context: Context, customerId: string, args: HistoryArgs): string {
  return cursorBinding(`Customer.orders:${customerId}`, { ...args }, context.viewer?.id ?? null);
}
