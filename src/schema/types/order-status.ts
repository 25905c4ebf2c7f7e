import { ORDER_STATUSES } from '../../domain/order-status.js';
import { builder } from '../builder.js';

export const OrderStatusEnum = builder.enumType('OrderStatus', {
  description: 'PENDING → PAID → SHIPPED → DELIVERED; PENDING or PAID → CANCELLED.',
  values: ORDER_STATUSES,
});
