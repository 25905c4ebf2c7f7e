import { useQuery } from '@apollo/client/react';
import { ViewerQuery } from '../operations';
import { href } from '../route';

interface Props {
  signedIn: boolean;
  live: boolean;
  onSignOut: () => void;
}

/**
 * The badge reads the normalized `Cart` from the cache: addToCart, removeFromCart and
 * placeOrder return the viewer's cart, so it changes without a refetch.
 */
export function Header({ signedIn, live, onSignOut }: Props) {
  const { data } = useQuery(ViewerQuery, { skip: !signedIn });
  const items = data?.me?.cart.items ?? [];
  const count = items.reduce((sum, item) => sum + item.quantity, 0);
  return (
    <header>
      <a className="brand" href={href.home}>
        Dynamo Shop
      </a>
      {live && (
        <span className="live" data-testid="live" title="Subscriptions are connected">
          live
        </span>
      )}
      <nav>
        {signedIn ? (
          <>
            <span data-testid="viewer">{data?.me?.name ?? ''}</span>
            <a href={href.cart} data-testid="cart-badge">
              Cart <span className="badge">{count}</span>
            </a>
            <button type="button" onClick={onSignOut}>
              Sign out
            </button>
          </>
        ) : (
          <a href={href.login}>Sign in</a>
        )}
      </nav>
    </header>
  );
}
