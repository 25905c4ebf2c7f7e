import { useMutation, useQuery } from '@apollo/client/react';
import { useState } from 'react';
import { checkoutKey, endCheckout, pendingCheckoutKey } from '../checkout-key';
import { money } from '../money';
import { PlaceOrderMutation, RemoveFromCartMutation, ViewerQuery } from '../operations';
import { href } from '../route';

type Checkout =
  | { state: 'idle' }
  | { state: 'placing' }
  | { state: 'refused'; message: string }
  /** No answer (network, 503): the order may or may not exist, so the retry keeps the key. */
  | { state: 'unknown' };

export function CartPage() {
  const { data, error, loading } = useQuery(ViewerQuery);
  const [placeOrder] = useMutation(PlaceOrderMutation);
  const [removeFromCart] = useMutation(RemoveFromCartMutation);
  const [checkout, setCheckout] = useState<Checkout>(() =>
    pendingCheckoutKey() ? { state: 'unknown' } : { state: 'idle' },
  );

  if (error) return <p role="alert">Could not load your cart: {error.message}</p>;
  if (loading && !data) return <p>Loading…</p>;
  const me = data?.me;
  if (!me) return <p>This account has no profile yet.</p>;
  const cart = me.cart;

  async function place() {
    setCheckout({ state: 'placing' });
    const idempotencyKey = checkoutKey();
    try {
      const { data: result } = await placeOrder({
        variables: { input: { idempotencyKey, fromCart: true } },
      });
      const outcome = result?.placeOrder;
      if (!outcome) throw new Error('no result');
      endCheckout();
      if (outcome.__typename === 'PlaceOrderSuccess') {
        setCheckout({ state: 'idle' });
        location.hash = href.order(outcome.order.id);
      } else {
        setCheckout({ state: 'refused', message: 'message' in outcome ? outcome.message : '' });
      }
    } catch {
      setCheckout({ state: 'unknown' });
    }
  }

  const busy = checkout.state === 'placing';
  return (
    <section>
      <h1>Your cart</h1>
      {cart.items.length === 0 && checkout.state !== 'unknown' ? (
        <p>
          Your cart is empty. <a href={href.home}>Browse the shop.</a>
        </p>
      ) : (
        <>
          <ul className="cart">
            {cart.items.map((item, index) =>
              item.product ? (
                <li key={item.product.id} data-testid="cart-line">
                  {item.quantity} × <a href={href.product(item.product.id)}>{item.product.name}</a>{' '}
                  {money(item.product.priceCents * item.quantity)}{' '}
                  <button
                    type="button"
                    disabled={busy}
                    onClick={() =>
                      item.product && removeFromCart({ variables: { productId: item.product.id } })
                    }
                  >
                    Remove
                  </button>
                </li>
              ) : (
                // biome-ignore lint/suspicious/noArrayIndexKey: a deleted product has no id left
                <li key={index} className="muted">
                  {item.quantity} × a product that is no longer sold
                </li>
              ),
            )}
          </ul>
          <p>
            Total <strong data-testid="cart-total">{money(cart.totalCents)}</strong>
          </p>
          <button type="button" onClick={place} disabled={busy} data-testid="place-order">
            {checkout.state === 'unknown' ? 'Retry placing the order' : 'Place order'}
          </button>
        </>
      )}
      {checkout.state === 'unknown' && (
        <p role="alert" data-testid="checkout-unknown">
          We could not confirm your order. Retrying is safe: it cannot order twice.
        </p>
      )}
      {checkout.state === 'refused' && <p role="alert">{checkout.message}</p>}
    </section>
  );
}
