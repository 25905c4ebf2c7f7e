import {
  createRemoteJWKSet,
  type JWTVerifyGetKey,
  errors as joseErrors,
  jwtVerify,
  SignJWT,
} from 'jose';
import type { Config } from '../app/config.js';
import { AuthError } from '../errors/client.js';
import { type Viewer, viewerFromClaims } from './viewer.js';

export type TokenVerifier = (token: string) => Promise<Viewer>;

const CLOCK_TOLERANCE_S = 5;
const MAX_TOKEN_LENGTH = 8_192;

/**
 * Verifies bearer tokens with jose: HS256 with JWT_SECRET, or asymmetric keys from JWKS_URL
 * (Cognito and the like). Only the expected algorithms are accepted, so `alg: none` and
 * algorithm confusion fail; exp/nbf are checked with a small clock tolerance.
 */
export function createTokenVerifier(jwt: Config['jwt']): TokenVerifier {
  const claimOptions = {
    ...(jwt.issuer ? { issuer: jwt.issuer } : {}),
    ...(jwt.audience ? { audience: jwt.audience } : {}),
    clockTolerance: CLOCK_TOLERANCE_S,
    requiredClaims: ['sub', 'exp'],
  };
  let verify: (token: string) => ReturnType<typeof jwtVerify>;
  if (jwt.kind === 'secret') {
    // Imported once: given the raw bytes, jose would import the key again for every token.
    const key = crypto.subtle.importKey(
      'raw',
      new TextEncoder().encode(jwt.secret),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['verify'],
    );
    // A key that cannot be imported fails each verification, not the process.
    key.catch(() => undefined);
    verify = async (token) =>
      jwtVerify(token, await key, { ...claimOptions, algorithms: ['HS256'] });
  } else {
    const keys: JWTVerifyGetKey = createRemoteJWKSet(new URL(jwt.jwksUrl));
    verify = (token) =>
      jwtVerify(token, keys, { ...claimOptions, algorithms: ['RS256', 'ES256', 'PS256'] });
  }
  return async (token) => {
    if (token.length > MAX_TOKEN_LENGTH) throw new AuthError('Invalid token: too long');
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await verify(token));
    } catch (error) {
      throw new AuthError(describeJoseError(error));
    }
    const viewer = viewerFromClaims(payload);
    if (!viewer) throw new AuthError('Invalid token: no usable `sub` claim');
    return viewer;
  };
}

/** A clear reason, without echoing anything from the token. */
export function describeJoseError(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return 'Token expired';
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf') return 'Token not yet valid';
    if (error.claim === 'iss') return 'Invalid token: wrong issuer';
    if (error.claim === 'aud') return 'Invalid token: wrong audience';
    return `Invalid token: bad \`${error.claim}\` claim`;
  }
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return 'Invalid token: algorithm not allowed';
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) {
    return 'Invalid token: signature verification failed';
  }
  if (error instanceof joseErrors.JWKSNoMatchingKey) return 'Invalid token: no matching key';
  return 'Invalid token: malformed';
}

/** Reads `Authorization: Bearer <token>`; no header is an anonymous request. */
export function bearerToken(header: string | null): string | null {
  if (header === null || header.trim() === '') return null;
  const match = /^Bearer\s+([A-Za-z0-9_\-.=]+)\s*$/i.exec(header.trim());
  if (!match) throw new AuthError('Invalid Authorization header: expected `Bearer <token>`');
  return match[1] ?? null;
}

/** A development token, signed with the HS256 secret (`npm run token`, `npm start`). */
export function signDevToken(
  secret: string,
  options: { sub: string; admin?: boolean; expiresIn?: string; issuer?: string; audience?: string },
): Promise<string> {
  let builder = new SignJWT({ roles: options.admin ? ['admin'] : [] })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(options.sub)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '12h');
  if (options.issuer) builder = builder.setIssuer(options.issuer);
  if (options.audience) builder = builder.setAudience(options.audience);
  return builder.sign(new TextEncoder().encode(secret));
}
