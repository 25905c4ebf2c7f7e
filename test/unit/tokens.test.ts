import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearerToken, createTokenVerifier, signDevToken } from '../../src/auth/tokens.js';
import { canAccessCustomer, viewerFromClaims } from '../../src/auth/viewer.js';
import { AuthError } from '../../src/errors/client.js';

const SECRET = 'unit-test-jwt-secret-0123456789-0123456789';
const key = new TextEncoder().encode(SECRET);
const verify = createTokenVerifier({ kind: 'secret', secret: SECRET });

function hs256(claims: Record<string, unknown>, secret = key) {
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(secret);
}
const nowS = () => Math.floor(Date.now() / 1000);

async function reason(token: string, verifier = verify): Promise<string> {
  try {
    await verifier(token);
  } catch (error) {
    expect(error).toBeInstanceOf(AuthError);
    return (error as Error).message;
  }
  throw new Error('the token was accepted');
}

describe('HS256 bearer tokens', () => {
  it('accepts a valid token: the viewer is its sub plus roles', async () => {
    const viewer = await verify(await signDevToken(SECRET, { sub: 'c-1' }));
    expect(viewer).toEqual({ id: 'c-1', roles: [], isAdmin: false });
    const admin = await verify(await signDevToken(SECRET, { sub: 'a-1', admin: true }));
    expect(admin.isAdmin).toBe(true);
  });

  it('refuses every bad token with a clear reason', async () => {
    expect(await reason(await hs256({ sub: 'c', exp: nowS() - 60 }))).toBe('Token expired');
    expect(await reason(await hs256({ sub: 'c', exp: nowS() + 60, nbf: nowS() + 600 }))).toBe(
      'Token not yet valid',
    );
    expect(
      await reason(
        await hs256({ sub: 'c', exp: nowS() + 60 }, new TextEncoder().encode('x'.repeat(40))),
      ),
    ).toBe('Invalid token: signature verification failed');
    const none = new UnsecuredJWT({ sub: 'c', exp: nowS() + 60 }).encode();
    expect(await reason(none)).toMatch(/^Invalid token/);
    expect(await reason('not.a.jwt')).toBe('Invalid token: malformed');
    expect(await reason(await hs256({ exp: nowS() + 60 }))).toMatch(/sub/);
    expect(await reason(await hs256({ sub: 'c' }))).toMatch(/exp/);
  });

  it('checks issuer and audience when configured', async () => {
    const strict = createTokenVerifier({
      kind: 'secret',
      secret: SECRET,
      issuer: 'shop',
      audience: 'web',
    });
    const good = await new SignJWT({ sub: 'c' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('shop')
      .setAudience('web')
      .setExpirationTime('1h')
      .sign(key);
    expect((await strict(good)).id).toBe('c');
    const wrongIssuer = await new SignJWT({ sub: 'c' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('evil')
      .setAudience('web')
      .setExpirationTime('1h')
      .sign(key);
    expect(await reason(wrongIssuer, strict)).toBe('Invalid token: wrong issuer');
    const wrongAudience = await new SignJWT({ sub: 'c' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('shop')
      .setAudience('mobile')
      .setExpirationTime('1h')
      .sign(key);
    expect(await reason(wrongAudience, strict)).toBe('Invalid token: wrong audience');
  });
});

describe('JWKS (Cognito-style) tokens', () => {
  let server: Server;
  let jwksUrl: string;
  let privateKey: CryptoKey;
  beforeAll(async () => {
    const pair = await generateKeyPair('RS256');
    privateKey = pair.privateKey as CryptoKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    server = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('verifies RS256 tokens from the key set; cognito:groups admin makes an admin', async () => {
    const verifier = createTokenVerifier({
      kind: 'jwks',
      jwksUrl,
      issuer: 'https://idp',
      audience: 'shop',
    });
    const token = await new SignJWT({ 'cognito:groups': ['admin', 'staff'] })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setSubject('cognito-user')
      .setIssuer('https://idp')
      .setAudience('shop')
      .setExpirationTime('5m')
      .sign(privateKey);
    expect(await verifier(token)).toEqual({
      id: 'cognito-user',
      roles: ['admin', 'staff'],
      isAdmin: true,
    });
    // An HS256 token "signed" with a public value is not accepted by a JWKS verifier.
    expect(await reason(await hs256({ sub: 'c', exp: nowS() + 60 }), verifier)).toBe(
      'Invalid token: algorithm not allowed',
    );
  });
});

describe('viewer and header parsing', () => {
  it('reads roles from `roles` or `cognito:groups`, as a list or a string', () => {
    expect(viewerFromClaims({ sub: 'a', roles: 'admin' })?.isAdmin).toBe(true);
    expect(viewerFromClaims({ sub: 'a', 'cognito:groups': ['x'] })?.isAdmin).toBe(false);
    expect(viewerFromClaims({ sub: '' })).toBeNull();
    expect(viewerFromClaims({ sub: 42 })).toBeNull();
  });

  it('owners and admins may access a customer; nobody else', () => {
    const c1 = viewerFromClaims({ sub: 'c1' });
    const admin = viewerFromClaims({ sub: 'x', roles: ['admin'] });
    expect(canAccessCustomer(c1, 'c1')).toBe(true);
    expect(canAccessCustomer(c1, 'c2')).toBe(false);
    expect(canAccessCustomer(admin, 'c2')).toBe(true);
    expect(canAccessCustomer(null, 'c1')).toBe(false);
  });

  it('parses Authorization: Bearer, and refuses other schemes', () => {
    expect(bearerToken(null)).toBeNull();
    expect(bearerToken('')).toBeNull();
    expect(bearerToken('Bearer abc.def.ghi')).toBe('abc.def.ghi');
    expect(bearerToken('bearer abc.def.ghi ')).toBe('abc.def.ghi');
    expect(() => bearerToken('Basic dXNlcjpwYXNz')).toThrow(AuthError);
    expect(() => bearerToken('Bearer a b')).toThrow(AuthError);
  });
});
