/**
 * The `WWW-Authenticate` challenge of a 401 (RFC 6750 section 3), so a client learns why its
 * request was refused without parsing the body: a storefront whose stored token expired can
 * drop it and read the public pages anonymously.
 */
export const REALM = 'shop';

/**
 * `Bearer realm="shop"` when the request carried no bearer token (none, or another scheme:
 * RFC 6750 says no error code then), with `error="invalid_token"` and the reason when a token
 * was presented and refused (expired, bad signature, wrong audience...).
 */
export function bearerChallenge(refused?: { description: string }): string {
  if (!refused) return `Bearer realm="${REALM}"`;
  return `Bearer realm="${REALM}", error="invalid_token", error_description="${quotable(refused.description)}"`;
}

/** RFC 6750's error_description: %x20-21 / %x23-5B / %x5D-7E, so no `"` or `\`. */
function quotable(text: string): string {
  return text.replace(/[^\x20\x21\x23-\x5b\x5d-\x7e]/g, "'").slice(0, 200);
}
