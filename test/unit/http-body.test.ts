import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { preRead, withJsonBody } from '../../src/http/json-body.js';

const MAX = 1_000;

/** What the server saw of each request: what withJsonBody answered, and the body it read. */
interface Seen {
  ready: boolean;
  preRead: unknown;
  /** The body the handler could still read from the stream when withJsonBody left it alone. */
  streamed: string;
}

let server: Server;
let port: number;
const seen: Seen[] = [];
let settled: () => void = () => {};

beforeAll(async () => {
  server = createServer((request, response) => {
    void withJsonBody(request, MAX).then(async (ready) => {
      const preRead = (request as IncomingMessage & { body?: unknown }).body;
      let streamed = '';
      if (ready && preRead === undefined) {
        for await (const chunk of request) streamed += String(chunk);
      }
      seen.push({ ready, preRead, streamed });
      settled();
      if (ready) response.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** Sends one request and waits until the server has recorded what it saw. */
async function send(options: {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}): Promise<Seen> {
  const recorded = new Promise<void>((resolve) => {
    settled = resolve;
  });
  const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: options.method ?? 'POST',
    headers: options.headers ?? {},
    ...(options.body !== undefined ? { body: options.body } : {}),
  });
  expect(await response.text()).toBe('ok');
  await recorded;
  return seen.at(-1) as Seen;
}

describe('preRead', () => {
  it('parses an object with a key and keeps its own __proto__ key as data', () => {
    const parsed = preRead('{"__proto__":{"x":1},"query":"{ a }"}') as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual(['__proto__', 'query']);
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(preRead('{"query":"{ a }"}')).toEqual({ query: '{ a }' });
  });
});

describe('withJsonBody: a small JSON body is read before the request reaches yoga', () => {
  it('reads a JSON POST of a declared length into request.body, parsed', async () => {
    const sent = { query: '{ categories { id name } }', variables: { é: 'ü' } };
    const body = JSON.stringify(sent);
    const result = await send({ headers: { 'content-type': 'application/json' }, body });
    expect(result).toEqual({ ready: true, preRead: sent, streamed: '' });
  });

  it('hands over as text what yoga must judge: invalid JSON, arrays, primitives, {}', async () => {
    for (const body of [
      '{"query":',
      '[{"query":"{ __typename }"}]',
      '"query"',
      '42',
      'null',
      '{}',
    ]) {
      const result = await send({ headers: { 'content-type': 'application/json' }, body });
      expect(result).toEqual({ ready: true, preRead: body, streamed: '' });
    }
  });

  it('takes application/graphql+json and a charset too', async () => {
    const body = '{"query":"{ __typename }"}';
    const result = await send({
      headers: { 'content-type': 'application/graphql+json; charset=utf-8' },
      body,
    });
    expect(result.preRead).toEqual({ query: '{ __typename }' });
  });

  it('leaves alone a body over the limit: yoga and bodyLimitPlugin see the stream', async () => {
    const body = JSON.stringify({ query: 'x'.repeat(MAX) });
    const result = await send({ headers: { 'content-type': 'application/json' }, body });
    expect(result).toEqual({ ready: true, preRead: undefined, streamed: body });
  });

  it('leaves alone other content types, GET, and an empty body', async () => {
    const text = await send({ headers: { 'content-type': 'text/plain' }, body: '{"query":"1"}' });
    expect(text).toEqual({ ready: true, preRead: undefined, streamed: '{"query":"1"}' });
    const get = await send({ method: 'GET' });
    expect(get).toEqual({ ready: true, preRead: undefined, streamed: '' });
    const empty = await send({ headers: { 'content-type': 'application/json' }, body: '' });
    expect(empty.preRead).toBeUndefined();
  });

  it('answers false when the client goes away before the body ends', async () => {
    const recorded = new Promise<void>((resolve) => {
      settled = resolve;
    });
    const request = httpRequest({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/graphql',
      headers: { 'content-type': 'application/json', 'content-length': '500' },
    });
    request.on('error', () => {});
    request.write('{"query":"{ __typ');
    await new Promise((resolve) => setTimeout(resolve, 50));
    request.destroy();
    await recorded;
    expect(seen.at(-1)).toEqual({ ready: false, preRead: undefined, streamed: '' });
  });
});
