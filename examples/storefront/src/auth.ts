/** The bearer token the shop's login would issue; here, the demo token `npm start` prints. */
const KEY = 'storefront.token';

const JWT = /[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/;

/** The token inside what was pasted: the bare token, `Bearer …`, or the whole printed line. */
export function tokenFrom(pasted: string): string | null {
  return JWT.exec(pasted)?.[0] ?? null;
}

export function storedToken(): string | null {
  return localStorage.getItem(KEY);
}

export function storeToken(token: string | null): void {
  if (token) localStorage.setItem(KEY, token);
  else localStorage.removeItem(KEY);
}
