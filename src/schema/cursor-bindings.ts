import type { Context } from '../app/context.js';
import type { HistoryArgs } from '../repositories/orders.js';
import { cursorBinding } from '../store/cursor.js';

/**
 * What a customer's order cursors are bound to: the list, its filters and the viewer. Shared by
 * the `orders` field and the `me` look-ahead, whose page the field takes by this binding.
 */
export function ordersBinding(context: Context, customerId: string, args: HistoryArgs): string {
  return cursorBinding(`Customer.orders:${customerId}`, { ...args }, context.viewer?.id ?? null);
}
