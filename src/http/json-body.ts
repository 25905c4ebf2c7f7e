import type { IncomingMessage, ServerResponse } from 'node:http';

const JSON_TYPE = /^\s*application\/(graphql\+)?json\s*(;|$)/i;

/**
 * Reads a JSON POST body of a declared length up to `maxBytes` before the request reaches yoga,
 * and hands it to @whatwg-node/server as `request.body`, the way a body parser in front of it
 * would: @whatwg-node then builds its fetch Request without iterating the Node stream through its
 * fetch ponyfill, which is the costly part of reading a small body.
 *
 * A body that parses to a JSON object with at least one key goes as that object, which
 * @whatwg-node answers `request.json()` with (its path for pre-parsed bodies). Anything else that
 * was read (invalid JSON, an array, a primitive, `{}`) goes as the text, so yoga's parser answers
 * it exactly as it answers the stream. Not the text every time: @whatwg-node tests a pre-read body
 * with `Object.keys(body).length`, which for a string makes one key per character.
 *
 * Anything not read (no Content-Length, over the limit, another content type, not a POST) goes to
 * yoga untouched, where useBodyLimit and yoga's parsers answer it as before; Node's HTTP parser
 * never delivers more than the declared length.
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
      (request as IncomingMessage & { body?: unknown }).body = preRead(
        Buffer.concat(chunks).toString('utf8'),
      );
      resolve(true);
    });
    request.once('error', () => resolve(false));
    request.once('close', () => {
      if (!request.complete) resolve(false);
    });
  });
}

/**
 * A Node request listener: `app` (yoga's) behind withJsonBody. What `npm start` serves, and what
 * the HTTP test suites (abuse, fuzz, production) run, so they see the body as the server does.
 */
export function serveWithJsonBody(
  app: (request: IncomingMessage, response: ServerResponse) => unknown,
  maxBytes: number,
): (request: IncomingMessage, response: ServerResponse) => void {
  return (request, response) => {
    void withJsonBody(request, maxBytes).then((ready) => {
      if (ready) void app(request, response);
    });
  };
}

/** The parsed body when it is a JSON object with a key, else the text (see withJsonBody). */
export function preRead(text: string): Record<string, unknown> | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return text;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return text;
  for (const _ in parsed) return parsed as Record<string, unknown>;
  return text;
}
