/**
 * The minimum to answer `me`: the bearer token verified with jose (HS256 with the shared
 * secret, the issuer and audience when configured). The viewer is the token's `sub`.
 */
import { jwtVerify } from 'jose';

export interface AuthOptions {
  jwtSecret: string;
  issuer?: string | undefined;
  audience?: string | undefined;
}

/** The customer id of a request's token; null without a token or with one that fails. */
export function createViewerOf(options: AuthOptions) {
  const key = new TextEncoder().encode(options.jwtSecret);
  const claims = {
    algorithms: ['HS256'],
    ...(options.issuer ? { issuer: options.issuer } : {}),
    ...(options.audience ? { audience: options.audience } : {}),
  };
  return async (authorization: string | undefined): Promise<string | null> => {
    const token = authorization?.startsWith('Bearer ') ? authorization.slice(7).trim() : undefined;
    if (!token) return null;
    try {
      const { payload } = await jwtVerify(token, key, claims);
      return typeof payload.sub === 'string' ? payload.sub : null;
    } catch {
      return null;
    }
  };
}
