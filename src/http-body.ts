import type { IncomingMessage } from 'node:http';

const JSON_TYPE = /^\s*application\/(graphql\+)?json\s*(;|$)/i;

/**
 * Reads a JSON POST body of a declared length up to `maxBytes` before the request reaches yoga,
 * as `request.body` (a string): @whatwg-node/server then builds its fetch Request from the string
 * instead of iterating the Node stream through its fetch ponyfill (part of the 0.02 ms of CPU
 * that change 9 in scripts/bench/NOTES.md took off every request). Anything else (no
 * Content-Length, over the limit, another content type, not a POST) goes to yoga untouched,
 * where bodyLimitPlugin and yoga's parsers answer it as before; Node's HTTP parser never
 * delivers more than the declared length.
 * Resolves false when the client went away before its body ended: there is nobody to answer.
 */
export function withJsonBody(request: IncomingMessage, maxBytes: number): Promise<boolean> {
  const length = Number(request.headers['content-length']);
  if (
    request.method !== 'POST' ||
    !Number.isSafeInteger(length) ||
    length <= 0 ||
    length > maxBytes ||
    !JSON_TYPE.test(request.headers['content-type'] ?? '')
  ) {
    return Promise.resolve(true);
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.once('end', () => {
      (request as IncomingMessage & { body?: string }).body =
        Buffer.concat(chunks).toString('utf8');
      resolve(true);
    });
    request.once('error', () => resolve(false));
    request.once('close', () => {
      if (!request.complete) resolve(false);
    });
  });
}
