import { ApolloProvider } from '@apollo/client/react';
import { useCallback, useEffect, useState } from 'react';
import { createApolloClient } from './apollo';
import { storedToken, storeToken } from './auth';
import { Header } from './components/Header';
import { CartPage } from './pages/CartPage';
import { CategoryPage } from './pages/CategoryPage';
import { HomePage } from './pages/HomePage';
import { LoginPage } from './pages/LoginPage';
import { OrderPage } from './pages/OrderPage';
import { ProductPage } from './pages/ProductPage';
import { href, useRoute } from './route';

export function App() {
  const route = useRoute();
  const [token, setToken] = useState(storedToken);
  const [live, setLive] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);

  const signIn = useCallback((next: string | null) => {
    storeToken(next);
    setToken(next);
  }, []);

  // Made in an effect, so the client (and its socket) made for a token is the one disposed
  // when the token changes or the app unmounts.
  const [apollo, setApollo] = useState<ReturnType<typeof createApolloClient> | null>(null);
  useEffect(() => {
    const created = createApolloClient({
      token,
      onUnauthorized: () => {
        // An expired demo token: public pages go on working without it.
        setNotice('Your session has expired: sign in again.');
        signIn(null);
      },
      onLive: setLive,
    });
    setApollo(created);
    return () => {
      setLive(false);
      created.close();
    };
  }, [token, signIn]);
  if (!apollo) return null;

  return (
    <ApolloProvider client={apollo.client}>
      <Header signedIn={token !== null} live={live} onSignOut={() => signIn(null)} />
      {notice && (
        <p className="notice" role="status">
          {notice}{' '}
          <button type="button" onClick={() => setNotice(null)}>
            Dismiss
          </button>
        </p>
      )}
      <main>
        {route.page === 'home' && <HomePage />}
        {route.page === 'category' && <CategoryPage key={route.slug} slug={route.slug} />}
        {route.page === 'product' && (
          <ProductPage key={route.id} id={route.id} signedIn={token !== null} />
        )}
        {route.page === 'cart' && (token ? <CartPage /> : <SignInFirst />)}
        {route.page === 'order' && (token ? <OrderPage id={route.id} /> : <SignInFirst />)}
        {route.page === 'login' && (
          <LoginPage
            onSignIn={(next) => {
              setNotice(null);
              signIn(next);
              location.hash = href.home;
            }}
          />
        )}
      </main>
    </ApolloProvider>
  );
}

function SignInFirst() {
  return (
    <p>
      <a href={href.login}>Sign in</a> to see your cart and orders.
    </p>
  );
}
