import { createPubSub } from 'graphql-yoga';
import type { ShopEvent } from './events.js';

type StockEvent = Extract<ShopEvent, { type: 'stock' }>;
type OrderEvent = Extract<ShopEvent, { type: 'order' }>;

/**
 * In-process topics. One replica reads the stream and serves its own subscribers; behind
 * several replicas, give createPubSub a Redis event target (DESIGN.md "Scaling").
 */
export function createShopPubSub() {
  return createPubSub<{
    /** Every event, for the response cache's invalidation. */
    event: [ShopEvent];
    stockChanged: [productId: string, payload: StockEvent];
    orderStatusChanged: [orderKey: string, payload: OrderEvent];
  }>();
}

export type ShopPubSub = ReturnType<typeof createShopPubSub>;

export function publishEvent(pubsub: ShopPubSub, event: ShopEvent): void {
  pubsub.publish('event', event);
  if (event.type === 'stock') pubsub.publish('stockChanged', event.productId, event);
  if (event.type === 'order') {
    pubsub.publish('orderStatusChanged', `${event.customerId}:${event.orderId}`, event);
  }
}
