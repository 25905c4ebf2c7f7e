import { useMutation, useQuery, useSubscription } from '@apollo/client/react';
import { money } from '../money';
import { CancelOrderMutation, OrderQuery, OrderStatusSubscription } from '../operations';

export function OrderPage({ id }: { id: string }) {
  const { data, error, loading } = useQuery(OrderQuery, { variables: { id } });
  // `{ id, status }` events merge into Order:<id>: the status below changes as it happens.
  useSubscription(OrderStatusSubscription, { variables: { orderId: id } });
  const [cancelOrder, cancelling] = useMutation(CancelOrderMutation);

  if (error) return <p role="alert">Could not load the order: {error.message}</p>;
  if (loading && !data) return <p>Loading…</p>;
  const order = data?.order;
  if (!order) return <p>No such order.</p>;
  const cancellable = order.status === 'PENDING' || order.status === 'PAID';
  return (
    <section>
      <h1>Order placed</h1>
      <p>
        Status <strong data-testid="order-status">{order.status}</strong>
      </p>
      <ul>
        {order.lines.map((line) => (
          <li key={line.productName} data-testid="order-line">
            {line.quantity} × {line.productName} {money(line.unitPriceCents * line.quantity)}
          </li>
        ))}
      </ul>
      <p>
        Total <strong data-testid="order-total">{money(order.totalCents)}</strong>
      </p>
      {cancellable && (
        <button
          type="button"
          onClick={() => cancelOrder({ variables: { orderId: id } })}
          disabled={cancelling.loading}
        >
          Cancel the order
        </button>
      )}
    </section>
  );
}
