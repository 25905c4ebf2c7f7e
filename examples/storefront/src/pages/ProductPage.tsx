import { useMutation, useQuery, useSubscription } from '@apollo/client/react';
import { useState } from 'react';
import { money } from '../money';
import { AddToCartMutation, ProductQuery, StockSubscription } from '../operations';
import { href } from '../route';

const REVIEWS = 5;

export function ProductPage({ id, signedIn }: { id: string; signedIn: boolean }) {
  const { data, error, loading, fetchMore } = useQuery(ProductQuery, {
    variables: { id, reviews: REVIEWS },
  });
  // Each event is `{ id, stock }` of this product: the cache merges it into Product:<id>, so
  // this page (and any list showing the product) re-renders with the new stock.
  useSubscription(StockSubscription, { variables: { productId: id } });
  const [quantity, setQuantity] = useState(1);
  const [addToCart, adding] = useMutation(AddToCartMutation);
  const [message, setMessage] = useState<string | null>(null);

  if (error) return <p role="alert">Could not load the product: {error.message}</p>;
  if (loading && !data) return <p>Loading…</p>;
  const product = data?.product;
  if (!product) return <p>No such product.</p>;

  async function add() {
    setMessage(null);
    try {
      const { data: result } = await addToCart({ variables: { productId: id, quantity } });
      const outcome = result?.addToCart;
      if (outcome?.__typename === 'AddToCartSuccess') setMessage('Added to your cart.');
      else if (outcome && 'message' in outcome) setMessage(outcome.message);
    } catch {
      setMessage('Could not reach the shop: try again.');
    }
  }

  const reviews = product.reviews;
  return (
    <article>
      {product.category && (
        <p>
          <a href={href.category(product.category.slug)}>{product.category.name}</a>
        </p>
      )}
      <h1>{product.name}</h1>
      <p className="price">{money(product.priceCents, product.currency)}</p>
      <p>
        <span data-testid="stock">{product.stock}</span> in stock
      </p>
      <p>{product.description}</p>
      {signedIn ? (
        <p>
          <input
            type="number"
            min="1"
            max="99"
            value={quantity}
            onChange={(event) => setQuantity(Math.max(1, Number(event.target.value) || 1))}
            data-testid="quantity"
          />{' '}
          <button type="button" onClick={add} disabled={adding.loading || product.stock === 0}>
            Add to cart
          </button>{' '}
          <span role="status">{message}</span>
        </p>
      ) : (
        <p>
          <a href={href.login}>Sign in</a> to buy.
        </p>
      )}
      <h2>
        Reviews{' '}
        <span className="muted">
          {product.rating.average == null
            ? 'none yet'
            : `${product.rating.average.toFixed(1)} / 5 from ${product.rating.count}`}
        </span>
      </h2>
      <ul className="reviews">
        {reviews.edges.map(({ node }) => (
          <li key={node.id} data-testid="review">
            <strong>{'★'.repeat(node.rating)}</strong> {node.body}{' '}
            <span className="muted">by {node.author?.name ?? 'a former customer'}</span>
          </li>
        ))}
      </ul>
      {reviews.pageInfo.hasNextPage && (
        <button
          type="button"
          onClick={() => fetchMore({ variables: { after: reviews.pageInfo.endCursor } })}
        >
          More reviews
        </button>
      )}
    </article>
  );
}
