/** DESIGN.md: PENDING → PAID → SHIPPED → DELIVERED; PENDING | PAID → CANCELLED. */
export const ORDER_STATUSES = ['PENDING', 'PAID', 'SHIPPED', 'DELIVERED', 'CANCELLED'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

const NEXT: Record<OrderStatus, readonly OrderStatus[]> = {
  PENDING: ['PAID', 'CANCELLED'],
  PAID: ['SHIPPED', 'CANCELLED'],
  SHIPPED: ['DELIVERED'],
  DELIVERED: [],
  CANCELLED: [],
};

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return NEXT[from].includes(to);
}

/** The statuses an order may be in for a move to `to`. */
export function allowedSources(to: OrderStatus): OrderStatus[] {
  return ORDER_STATUSES.filter((from) => NEXT[from].includes(to));
}

export function isOrderStatus(value: unknown): value is OrderStatus {
  return typeof value === 'string' && (ORDER_STATUSES as readonly string[]).includes(value);
}

/**
 * Whether `to` comes after `from` (one or more moves): statuses only move forward, so an order
 * item's status orders its stream images, whoever wrote them and whatever their clocks said.
 */
export function isLaterStatus(to: OrderStatus, from: OrderStatus): boolean {
  return NEXT[from].some((next) => next === to || isLaterStatus(to, next));
}
