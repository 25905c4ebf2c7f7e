import { useEffect, useState } from 'react';

export type Route =
  | { page: 'home' }
  | { page: 'category'; slug: string }
  | { page: 'product'; id: string }
  | { page: 'cart' }
  | { page: 'order'; id: string }
  | { page: 'login' };

/** Hash routes, so the static build needs no server-side fallback. */
export function parseRoute(hash: string): Route {
  const [, page, param] = hash.replace(/^#/, '').split('/');
  const value = param ? decodeURIComponent(param) : '';
  if (page === 'c' && value) return { page: 'category', slug: value };
  if (page === 'p' && value) return { page: 'product', id: value };
  if (page === 'o' && value) return { page: 'order', id: value };
  if (page === 'cart') return { page: 'cart' };
  if (page === 'login') return { page: 'login' };
  return { page: 'home' };
}

export const href = {
  home: '#/',
  category: (slug: string) => `#/c/${encodeURIComponent(slug)}`,
  product: (id: string) => `#/p/${encodeURIComponent(id)}`,
  order: (id: string) => `#/o/${encodeURIComponent(id)}`,
  cart: '#/cart',
  login: '#/login',
};

export function useRoute(): Route {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const changed = () => setHash(location.hash);
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);
  return parseRoute(hash);
}
