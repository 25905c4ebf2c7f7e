import { mkdirSync, writeFileSync } from 'node:fs';
import { encodeGlobalID } from '@pothos/plugin-relay';
import {
  type GraphQLInputType,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  Kind,
  type OperationDefinitionNode,
  parse,
  print,
  typeFromAST,
} from 'graphql';
import { SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signDevToken } from '../../src/auth/tokens.js';
import { documentsSource } from '../../src/dev/documents.js';
import { customerItem } from '../../src/models/customer.js';
import { schema } from '../../src/schema/index.js';
import { TEST_JWT_SECRET } from '../helpers/app.js';
import { createTestTable, type TestTable } from '../helpers/dynamo.js';
import { aCustomer, type Catalog, loadCatalog, putItems } from '../helpers/fixtures.js';
import { dataOf, postGraphQL } from '../helpers/graphql.js';
import { type HttpTestServer, startHttpServer } from '../helpers/http-server.js';

/**
 * A seeded fuzzer (item 8): mutated contract operations, random variables, random JSON and
 * bytes, random headers and tokens, sent over real HTTP with 16 requests in flight to a
 * production-mode server. Pass: no 5xx, no unhandled rejection or exception in the process,
 * every reply well-formed, and a normal query answered correctly afterwards.
 *
 * FUZZ_REQUESTS (default 2000) and FUZZ_SEED change the run; the figures go to
 * test-results/fuzz.md and to the test output.
 */

const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 2_000);
const SEED = Number(process.env.FUZZ_SEED ?? 20_261_122);
const CONCURRENCY = 16;
const REQUEST_TIMEOUT_MS = 15_000;

const CONTRACT = documentsSource();

// ------------------------------------------------------------------------------ randomness

/** mulberry32: a small, fast, seeded PRNG (the same seed gives the same requests). */
class Rng {
  #state: number;
  constructor(seed: number) {
    this.#state = seed >>> 0;
  }
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  }
  int(max: number): number {
    return Math.floor(this.next() * max);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }
}

const UNICODE_SAMPLES = [
  '\u0000',
  '\u0007',
  '\u202e',
  '\ufeff',
  '\ud800',
  '\udfff',
  '😀',
  '👩‍👩‍👧',
  'ß',
  'İ',
  'ﷺ',
  '\u0301',
  '𝕳',
  '\\',
  '"',
  "'",
  '\n',
  '\r\n',
  '{',
  '}',
  '$',
  '#',
];

function randomString(rng: Rng, maxLength = 40): string {
  const length = rng.chance(0.05) ? 1_000 + rng.int(5_000) : rng.int(maxLength);
  let out = '';
  for (let i = 0; i < length; i++) {
    const roll = rng.next();
    if (roll < 0.6) out += String.fromCharCode(32 + rng.int(95));
    else if (roll < 0.85) out += rng.pick(UNICODE_SAMPLES);
    else out += String.fromCodePoint(rng.int(0x10ffff));
  }
  return out;
}

function randomJson(rng: Rng, depth = 0): unknown {
  const roll = rng.int(depth > 3 ? 6 : 9);
  switch (roll) {
    case 0:
      return null;
    case 1:
      return rng.chance(0.5);
    case 2:
      return rng.pick([0, -1, 1.5, 2 ** 31, 2 ** 53 + 1, 1e308, -1e308, Number.MIN_VALUE]);
    case 3:
      return randomString(rng);
    case 4:
      return '';
    case 5:
      return rng.int(1_000);
    case 6:
      return Array.from({ length: rng.int(5) }, () => randomJson(rng, depth + 1));
    default: {
      const object: Record<string, unknown> = {};
      for (let i = rng.int(5); i > 0; i--) {
        object[
          rng.pick([
            'query',
            'variables',
            'id',
            'input',
            'first',
            '__proto__',
            randomString(rng, 8),
          ])
        ] = randomJson(rng, depth + 1);
      }
      return object;
    }
  }
}

/** `[[[[...]]]]` or `{"a":{"a":...}}`, `levels` deep, as JSON text. */
function deepJson(rng: Rng, levels: number): string {
  return rng.chance(0.5)
    ? `${'['.repeat(levels)}1${']'.repeat(levels)}`
    : `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
}

// ------------------------------------------------------------------------------ the pools

interface Pools {
  ids: string[];
  strings: string[];
  /** Valid bearer tokens: three customers with a profile, one without, an admin. */
  goodAuthorizations: string[];
  /** Expired, unsigned, forged, malformed, another scheme. */
  badAuthorizations: string[];
}

interface Operation {
  source: string;
  definition: OperationDefinitionNode;
}

const operations: Operation[] = parse(CONTRACT)
  .definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)
  .map((definition) => ({ definition, source: print(definition) }));

/** Every token of the contract, to splice into other documents. */
const CONTRACT_TOKENS = [...new Set(tokenize(CONTRACT).filter((t) => t.trim() !== ''))];

function tokenize(source: string): string[] {
  return (
    source.match(
      /"(?:[^"\\]|\\.)*"|\.\.\.|[!$&()[\]{}:=@|]|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|[_A-Za-z][_0-9A-Za-z]*|#[^\n]*|\s+|./g,
    ) ?? []
  );
}

const INTS = [
  0,
  1,
  2,
  5,
  20,
  50,
  99,
  100,
  101,
  1_000,
  -1,
  -(2 ** 31),
  2 ** 31 - 1,
  2 ** 31,
  2 ** 53,
  1e21,
  0.5,
];

/** A value for a variable of `type`: mostly of that type, sometimes not (`wrong`: how often). */
function valueFor(
  type: GraphQLInputType,
  rng: Rng,
  pools: Pools,
  wrong: number,
  depth = 0,
): unknown {
  if (rng.chance(wrong)) return randomJson(rng); // the wrong type, or null
  if (isNonNullType(type)) return valueFor(type.ofType, rng, pools, wrong, depth);
  if (isListType(type)) {
    const length = rng.chance(wrong) ? 101 + rng.int(200) : 1 + rng.int(3);
    return Array.from({ length }, () => valueFor(type.ofType, rng, pools, wrong, depth + 1));
  }
  if (isEnumType(type)) {
    return rng.chance(0.85) ? rng.pick(type.getValues()).name : randomString(rng, 12);
  }
  if (isInputObjectType(type)) {
    if (depth > 4) return {};
    const object: Record<string, unknown> = {};
    for (const field of Object.values(type.getFields())) {
      if (isNonNullType(field.type) || rng.chance(0.6)) {
        object[field.name] = valueFor(field.type, rng, pools, wrong, depth + 1);
      }
    }
    if (rng.chance(wrong * 2)) object[randomString(rng, 10) || 'extra'] = randomJson(rng);
    return object;
  }
  switch (getNamedType(type).name) {
    case 'ID':
      return rng.pick(pools.ids);
    case 'Int':
      return rng.pick(INTS);
    case 'Float':
      return rng.next() * 1e6;
    case 'Boolean':
      return rng.chance(0.5);
    case 'DateTime':
      return rng.pick([
        new Date(Date.now() - rng.int(1e10)).toISOString(),
        '2026-13-45T99:99:99Z',
        '0000-01-01T00:00:00.000Z',
        '275760-09-13T00:00:00.000Z',
        'yesterday',
        '',
      ]);
    default:
      return rng.pick(pools.strings);
  }
}

function variablesFor(op: Operation, rng: Rng, pools: Pools, wrong: number): unknown {
  if (rng.chance(wrong)) return randomJson(rng);
  const variables: Record<string, unknown> = {};
  for (const definition of op.definition.variableDefinitions ?? []) {
    if (rng.chance(wrong)) continue; // a missing variable
    const type = typeFromAST(schema, definition.type) as GraphQLInputType | undefined;
    variables[definition.variable.name.value] = type
      ? valueFor(type, rng, pools, wrong)
      : randomJson(rng);
  }
  if (rng.chance(wrong)) variables[randomString(rng, 10) || 'unused'] = randomJson(rng);
  return variables;
}

// ------------------------------------------------------------------------------ documents

function mutateDocument(source: string, rng: Rng): string {
  let tokens = tokenize(source);
  for (let round = 1 + rng.int(3); round > 0; round--) {
    const at = rng.int(Math.max(tokens.length, 1));
    switch (rng.int(13)) {
      case 0: // drop a token
        tokens.splice(at, 1);
        break;
      case 1: // duplicate a token
        tokens.splice(at, 0, tokens[at] ?? '');
        break;
      case 2: {
        // swap two neighbours
        const a = tokens[at];
        tokens[at] = tokens[at + 1] ?? '';
        tokens[at + 1] = a ?? '';
        break;
      }
      case 3: // a token from elsewhere in the contract
        tokens[at] = ` ${rng.pick(CONTRACT_TOKENS)} `;
        break;
      case 4: // garbage, unicode
        tokens.splice(at, 0, randomString(rng, 12));
        break;
      case 5: // a huge number
        tokens.splice(at, 0, ` ${rng.chance(0.5) ? '-' : ''}${'9'.repeat(1 + rng.int(400))} `);
        break;
      case 6: // truncated
        tokens = tokens.slice(0, at);
        break;
      case 7: {
        // deep nesting
        const levels = 1 + rng.int(300);
        tokens.splice(at, 0, ` ${'a { '.repeat(levels)} b ${'} '.repeat(levels)}`);
        break;
      }
      case 8: // an alias
        tokens.splice(at, 0, ` x${rng.int(100)}: `);
        break;
      case 9: // a directive
        tokens.splice(
          at,
          0,
          rng.pick([' @include(if: true) ', ' @skip(if: $x) ', ' @deprecated ', ' @nope ']),
        );
        break;
      case 10: // a fragment spread, and sometimes its fragment
        tokens.splice(at, 0, ' ...F ');
        if (rng.chance(0.5)) tokens.push(' fragment F on Query { ...F __typename } ');
        break;
      case 11: // another operation type
        tokens[at] = rng.pick([' query ', ' mutation ', ' subscription ']);
        break;
      default: // introspection
        tokens.splice(
          at,
          0,
          rng.pick([
            ' __schema { types { name } } ',
            ' __typename ',
            ' __type(name: "Order") { fields { name } } ',
          ]),
        );
    }
  }
  return tokens.join('');
}

// ------------------------------------------------------------------------------ requests

type RequestKind =
  | 'contract'
  | 'mutated'
  | 'random JSON'
  | 'raw bytes'
  | 'GET'
  | 'other method'
  | 'huge body';

interface FuzzRequest {
  index: number;
  kind: RequestKind;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Uint8Array<ArrayBuffer>;
}

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/graphql+json',
  'application/graphql',
  'application/x-www-form-urlencoded',
  'multipart/form-data',
  'multipart/form-data; boundary=----x',
  'text/plain',
  'application/xml',
  'application/json; charset=latin1',
  '*/*',
  'garbage',
];
const ACCEPTS = [
  'application/graphql-response+json',
  'application/json',
  'application/graphql-response+json, application/json;q=0.9',
  'text/html',
  'image/png',
  'application/*',
  'application/json;q=0',
  'garbage/garbage',
];
/** These choose a streaming answer for a subscription, which stays open until an event. */
const STREAMING_ACCEPTS = ['*/*', 'text/event-stream', 'multipart/mixed', ''];

function requestFor(index: number, rng: Rng, pools: Pools): FuzzRequest {
  const headers: Record<string, string> = {};
  const roll = rng.next();
  // Contract operations mostly come as a client would send them, to reach the resolvers.
  const asClient = roll < 0.3;
  const auth = rng.next();
  if (auth < (asClient ? 0.75 : 0.4)) headers.authorization = rng.pick(pools.goodAuthorizations);
  else if (auth < (asClient ? 0.85 : 0.7))
    headers.authorization = rng.pick(pools.badAuthorizations);
  if (rng.chance(0.1))
    headers['x-request-id'] = rng.chance(0.5) ? `fuzz-${index}` : randomAscii(rng, 80);
  if (rng.chance(0.1))
    headers.origin = rng.pick(['https://shop.example', 'https://evil.example', 'null']);

  let kind: RequestKind;
  let document = '';
  let method = 'POST';
  let body: string | Uint8Array<ArrayBuffer> | undefined;
  if (roll < 0.75) {
    const op = rng.pick(operations);
    kind = roll < 0.3 ? 'contract' : 'mutated';
    document = kind === 'contract' ? op.source : mutateDocument(op.source, rng);
    const payload: Record<string, unknown> = {
      query: document,
      variables: variablesFor(op, rng, pools, asClient ? 0.01 : 0.05),
    };
    if (rng.chance(0.1))
      payload.operationName = rng.chance(0.5) ? op.definition.name?.value : randomString(rng, 10);
    if (rng.chance(0.03)) payload.extensions = randomJson(rng);
    body = JSON.stringify(payload);
  } else if (roll < 0.82) {
    kind = 'random JSON';
    body = rng.chance(0.15) ? deepJson(rng, 10 + rng.int(20_000)) : JSON.stringify(randomJson(rng));
  } else if (roll < 0.88) {
    kind = 'raw bytes';
    const bytes = new Uint8Array(rng.int(300));
    for (let i = 0; i < bytes.length; i++) bytes[i] = rng.int(256);
    body = rng.chance(0.5)
      ? bytes
      : JSON.stringify({ query: operations[0]?.source }).slice(0, rng.int(60));
  } else if (roll < 0.96) {
    kind = 'GET';
    method = 'GET';
    const op = rng.pick(operations);
    document = rng.chance(0.5) ? op.source : mutateDocument(op.source, rng);
    const params = new URLSearchParams({ query: document });
    if (rng.chance(0.7)) {
      params.set('variables', JSON.stringify(variablesFor(op, rng, pools, 0.05)));
    }
    const query = params.toString();
    const accept = acceptFor(document, rng);
    if (accept !== '') headers.accept = accept;
    // Node refuses request heads over 16 KiB itself (the fuzzer is after the app): a longer
    // query string is cut, which leaves broken JSON in `variables` too.
    const path = `/graphql?${query.length > 8_000 ? query.slice(0, 8_000) : query}`;
    return { index, kind, method, path, headers };
  } else if (roll < 0.99) {
    kind = 'other method';
    method = rng.pick(['OPTIONS', 'PUT', 'DELETE', 'PATCH', 'HEAD']);
    if (method === 'OPTIONS') {
      headers['access-control-request-method'] = rng.pick(['POST', 'GET', 'DELETE']);
    }
    body =
      method === 'HEAD' || method === 'OPTIONS' ? undefined : '{"query":"{ categories { id } }"}';
  } else {
    kind = 'huge body';
    body = JSON.stringify({
      query: `{ categories { id } } #${'x'.repeat(100_000 + rng.int(200_000))}`,
    });
  }

  headers['content-type'] = rng.chance(0.8) ? 'application/json' : rng.pick(CONTENT_TYPES);
  headers.accept = acceptFor(document, rng);
  if (headers.accept === '') delete headers.accept;
  const path = rng.chance(0.98)
    ? '/graphql'
    : rng.pick(['/', '/graphql/', '/GRAPHQL', '/health', '/graphql?x=1']);
  return { index, kind, method, path, headers, ...(body === undefined ? {} : { body }) };
}

function acceptFor(document: string, rng: Rng): string {
  if (rng.chance(0.6)) return 'application/graphql-response+json';
  if (/subscription/.test(document) || rng.chance(0.5)) return rng.pick(ACCEPTS);
  return rng.pick(STREAMING_ACCEPTS);
}

function randomAscii(rng: Rng, maxLength: number): string {
  let out = '';
  for (let i = rng.int(maxLength); i > 0; i--) out += String.fromCharCode(33 + rng.int(94));
  return out;
}

// ------------------------------------------------------------------------------ replies

interface Outcome {
  status: number;
  /** The first error's code, `data` for an answer without errors, or what the body was. */
  code: string;
  /** Until the whole answer was read. */
  ms: number;
  problem?: string;
  internal?: string;
  /** The first error's message. */
  message?: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Why a GraphQL response body is not well-formed, or undefined when it is. */
function shapeProblem(body: unknown, status: number): string | undefined {
  if (!isRecord(body)) return 'the body is not a JSON object';
  const extra = Object.keys(body).filter((key) => !['data', 'errors', 'extensions'].includes(key));
  if (extra.length > 0) return `unexpected top-level keys ${extra.join(', ')}`;
  if (!('data' in body) && !('errors' in body)) return 'neither data nor errors';
  if (status >= 400 && !Array.isArray(body.errors)) return `HTTP ${status} without errors`;
  if ('data' in body && body.data !== null && !isRecord(body.data)) return 'data is not an object';
  if ('errors' in body) {
    if (!Array.isArray(body.errors) || body.errors.length === 0)
      return 'errors is not a non-empty list';
    for (const error of body.errors) {
      if (!isRecord(error) || typeof error.message !== 'string' || error.message === '') {
        return 'an error without a message';
      }
      if ('locations' in error) {
        const ok =
          Array.isArray(error.locations) &&
          error.locations.every(
            (l) => isRecord(l) && Number.isInteger(l.line) && Number.isInteger(l.column),
          );
        if (!ok) return 'bad locations';
      }
      if ('path' in error) {
        const ok =
          Array.isArray(error.path) &&
          error.path.every((p) => typeof p === 'string' || Number.isInteger(p));
        if (!ok) return 'bad path';
      }
      if ('extensions' in error && !isRecord(error.extensions)) return 'bad error extensions';
    }
  }
  if ('extensions' in body && !isRecord(body.extensions)) return 'bad extensions';
  return undefined;
}

/** A streamed body (SSE or multipart/mixed), read for at most `ms`. */
async function readStream(
  response: Response,
  ms: number,
): Promise<{ text: string; ended: boolean }> {
  const reader = response.body?.getReader();
  if (!reader) return { text: '', ended: true };
  const decoder = new TextDecoder();
  let text = '';
  const deadline = Date.now() + ms;
  for (;;) {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), Math.max(0, deadline - Date.now()));
    });
    const chunk = await Promise.race([reader.read(), timeout]);
    clearTimeout(timer);
    if (chunk === 'timeout') {
      await reader.cancel();
      return { text, ended: false };
    }
    if (chunk.done) return { text, ended: true };
    text += decoder.decode(chunk.value, { stream: true });
  }
}

/** The JSON payloads of an SSE (`event: next` / `data: ...`) or multipart/mixed body. */
function streamPayloads(text: string, contentType: string): string[] {
  if (contentType.includes('event-stream')) {
    return text
      .split(/\n\n/)
      .filter((event) => /^event: next$/m.test(event))
      .map((event) =>
        event
          .split('\n')
          .filter((line) => line.startsWith('data:'))
          .map((line) => line.slice(5).trim())
          .join('\n'),
      );
  }
  const boundary = /boundary="?([^";]+)"?/.exec(contentType)?.[1] ?? '-';
  return text
    .split(`--${boundary}`)
    .map((part) =>
      part
        .split(/\r\n\r\n/)
        .slice(1)
        .join('\r\n\r\n')
        .trim(),
    )
    .filter((body) => body !== '');
}

async function sendFuzz(origin: string, request: FuzzRequest): Promise<Outcome> {
  const started = performance.now();
  let response: Response;
  try {
    response = await fetch(`${origin}${request.path}`, {
      method: request.method,
      headers: request.headers,
      ...(request.body === undefined ? {} : { body: request.body }),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch (error) {
    return { status: 0, code: 'no reply', ms: 0, problem: `no reply: ${String(error)}` };
  }
  const { status } = response;
  const contentType = response.headers.get('content-type') ?? '';
  const streamed = /event-stream|multipart\/mixed/.test(contentType);
  let text: string;
  let payloads: string[];
  if (streamed) {
    const read = await readStream(response, 3_000);
    text = read.text;
    payloads = streamPayloads(text, contentType);
    if (!read.ended) {
      return { status, code: 'stream', ms: 0, problem: 'a streamed answer that did not end' };
    }
  } else {
    text = await response.text();
    payloads = [text];
  }
  const outcome: Outcome = { status, code: '', ms: performance.now() - started };
  const fail = (problem: string) => ({ ...outcome, problem });
  if (status >= 500) return fail(`HTTP ${status}`);
  if (/originalError|\n\s+at .+:\d+:\d+|node_modules/.test(text)) {
    return fail('internals in the body');
  }
  if (request.method === 'HEAD') return { ...outcome, code: '(HEAD)' };
  // The health check answers any method with an empty 200: not a GraphQL endpoint.
  if (request.path.startsWith('/health')) return { ...outcome, code: '(health)' };
  if (status === 204) {
    return request.method === 'OPTIONS' && text === ''
      ? { ...outcome, code: '(preflight)' }
      : fail('an unexpected 204');
  }
  if (contentType.startsWith('text/html')) return fail('HTML in production');
  if (status !== 200 && (status < 400 || status >= 500)) return fail(`HTTP ${status}`);
  if (payloads.length === 0) return fail(`no payload (${contentType || 'no content type'})`);
  let first: { message: string; extensions?: Record<string, unknown> } | undefined;
  let internal: { extensions?: Record<string, unknown> } | undefined;
  for (const payload of payloads) {
    let body: unknown;
    try {
      body = JSON.parse(payload);
    } catch {
      return fail(`not JSON (${contentType || 'no content type'}): ${payload.slice(0, 80)}`);
    }
    const problem = shapeProblem(body, status);
    if (problem) return fail(problem);
    const errors = (
      body as { errors?: Array<{ message: string; extensions?: Record<string, unknown> }> }
    ).errors;
    first ??= errors?.[0];
    internal ??= errors?.find((e) => e.extensions?.code === 'INTERNAL_SERVER_ERROR');
  }
  if (first) outcome.message = first.message;
  outcome.code = `${first ? String(first.extensions?.code ?? '(no code)') : 'data'}${streamed ? ' (streamed)' : ''}`;
  if (internal) {
    if (typeof internal.extensions?.requestId !== 'string') {
      return fail('an internal error without a request id');
    }
    outcome.internal = `${request.kind} ${request.method}: ${
      typeof request.body === 'string' ? request.body.slice(0, 300) : request.path.slice(0, 300)
    }`;
  }
  return outcome;
}

// ------------------------------------------------------------------------------ the report

interface Sent {
  request: FuzzRequest;
  outcome: Outcome;
}

function describeRequest({ request }: Sent): string {
  const body = typeof request.body === 'string' ? request.body.slice(0, 240) : '(bytes)';
  return `${request.kind}: ${request.method} ${request.path.slice(0, 100)} ${JSON.stringify(request.headers).slice(0, 200)} ${body}`.replace(
    /`/g,
    "'",
  );
}

function report(
  outcomes: Sent[],
  seconds: number,
  dynamoCalls: number,
  log: Array<Record<string, unknown>>,
): string {
  const count = (key: (o: Sent) => string): Array<[string, number]> => {
    const counts = new Map<string, number>();
    for (const o of outcomes) counts.set(key(o), (counts.get(key(o)) ?? 0) + 1);
    return [...counts.entries()].sort((a, b) => b[1] - a[1]);
  };
  const table = (title: string, entries: Array<[string, number]>) => [
    `| ${title} | requests |`,
    '|---|---|',
    ...entries.map(([name, n]) => `| ${name.replace(/\|/g, '\\|')} | ${n} |`),
    '',
  ];
  const problems = outcomes.filter((o) => o.outcome.problem !== undefined);
  const internals = outcomes.filter((o) => o.outcome.internal !== undefined);
  const errorLines = log.filter((line) => (line.level as number) >= 50);
  const ms = outcomes.map((o) => o.outcome.ms).sort((a, b) => a - b);
  const quantile = (q: number) =>
    Math.round(ms[Math.min(ms.length - 1, Math.floor(q * ms.length))] ?? 0);
  const lines = [
    '# Fuzzer',
    '',
    `Generated by test/integration/fuzz.test.ts on ${new Date().toISOString()}.`,
    '',
    `- requests: ${outcomes.length} (seed ${SEED}, ${CONCURRENCY} in flight, production mode)`,
    `- duration: ${seconds.toFixed(1)} s (${Math.round(outcomes.length / seconds)} requests/s); latency p50 ${quantile(0.5)} ms, p95 ${quantile(0.95)} ms, max ${quantile(1)} ms`,
    `- DynamoDB calls during the run: ${dynamoCalls}`,
    `- 5xx: ${outcomes.filter((o) => o.outcome.status >= 500).length}`,
    `- malformed replies and other problems: ${problems.length}`,
    `- unhandled rejections or exceptions in the process: ${crashes.length}`,
    `- masked unexpected errors (INTERNAL_SERVER_ERROR with a request id): ${internals.length}`,
    `- error lines in the server log: ${errorLines.length}`,
    '',
    '| Request kind | requests | mean latency |',
    '|---|---|---|',
    ...count((o) => o.request.kind).map(([kind, n]) => {
      const total = outcomes
        .filter((o) => o.request.kind === kind)
        .reduce((sum, o) => sum + o.outcome.ms, 0);
      return `| ${kind} | ${n} | ${Math.round(total / n)} ms |`;
    }),
    '',
    ...table(
      'HTTP status',
      count((o) => String(o.outcome.status)),
    ),
    ...table(
      'Answer (first error code, or data)',
      count((o) => o.outcome.code),
    ),
  ];
  if (internals.length > 0) {
    lines.push('Requests answered with a masked unexpected error (first 10):', '');
    for (const o of internals.slice(0, 10)) lines.push(`- \`${describeRequest(o)}\``);
    const causes = new Map<string, number>();
    for (const line of errorLines) {
      const err = line.err as { message?: string } | undefined;
      const cause = `${String(line.msg)}: ${err?.message ?? ''}`.slice(0, 200);
      causes.set(cause, (causes.get(cause) ?? 0) + 1);
    }
    lines.push('', 'Their causes, from the server log:', '');
    for (const [cause, n] of causes) lines.push(`- ${n} × ${cause}`);
    lines.push('');
  }
  if (problems.length > 0) {
    lines.push('Problems (first 20):', '');
    for (const o of problems.slice(0, 20)) {
      lines.push(`- ${o.outcome.problem}: \`${describeRequest(o)}\``);
    }
    lines.push('');
  }
  const uncoded = outcomes.filter((o) => o.outcome.code.startsWith('(no code)'));
  if (uncoded.length > 0) {
    lines.push('Errors without a code (first 5):', '');
    for (const o of uncoded.slice(0, 5)) {
      lines.push(`- ${o.outcome.message ?? ''}: \`${describeRequest(o).slice(0, 200)}\``);
    }
    lines.push('');
  }
  const slowest = [...outcomes].sort((a, b) => b.outcome.ms - a.outcome.ms).slice(0, 5);
  lines.push('Slowest requests:', '');
  for (const o of slowest)
    lines.push(
      `- ${Math.round(o.outcome.ms)} ms, ${o.outcome.status} ${o.outcome.code}: \`${describeRequest(o).slice(0, 200)}\``,
    );
  lines.push('');
  return lines.join('\n');
}

// ------------------------------------------------------------------------------ the run

let table: TestTable;
let server: HttpTestServer;
let catalog: Catalog;
const crashes: unknown[] = [];
const onCrash = (error: unknown) => crashes.push(error);

beforeAll(async () => {
  process.on('unhandledRejection', onCrash);
  process.on('uncaughtException', onCrash);
  table = await createTestTable('fuzz');
  catalog = await loadCatalog(table);
  await putItems(
    table,
    Array.from({ length: 3 }, (_, i) => customerItem(aCustomer(`fuzz-customer-${i}`))),
  );
  server = await startHttpServer(
    table,
    { NODE_ENV: 'production', CORS_ORIGINS: 'https://shop.example' },
    { logLevel: 'warn' },
  );
});

afterAll(async () => {
  process.off('unhandledRejection', onCrash);
  process.off('uncaughtException', onCrash);
  await server?.close();
  await table?.drop();
});

/** The fuzzer never gets this product: afterwards it must read exactly as it was written. */
const control = () => catalog.products[catalog.products.length - 1]!;

async function buildPools(): Promise<Pools> {
  const nowS = Math.floor(Date.now() / 1000);
  const key = new TextEncoder().encode(TEST_JWT_SECRET);
  const customers = await Promise.all(
    [0, 1, 2].map((i) => signDevToken(TEST_JWT_SECRET, { sub: `fuzz-customer-${i}` })),
  );
  const fresh = await signDevToken(TEST_JWT_SECRET, { sub: 'fuzz-newcomer' });
  const admin = await signDevToken(TEST_JWT_SECRET, { sub: 'fuzz-admin', admin: true });
  const expired = await new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('fuzz-customer-0')
    .setExpirationTime(nowS - 60)
    .sign(key);
  const none = new UnsecuredJWT({ sub: 'fuzz-admin', roles: ['admin'] })
    .setExpirationTime('1h')
    .encode();
  const pool = catalog.products.slice(0, 40);
  const ids = [
    ...pool.map((p) => encodeGlobalID('Product', p.id)),
    encodeGlobalID('Category', 'tools'),
    encodeGlobalID('Category', 'toys'),
    encodeGlobalID('Customer', 'fuzz-customer-0'),
    encodeGlobalID('Customer', 'fuzz-customer-1'),
    encodeGlobalID('Order', 'fuzz-customer-0:01ARZ3NDEKTSV4RRFFQ69G5FAV'),
    encodeGlobalID('Order', 'fuzz-customer-1:01ARZ3NDEKTSV4RRFFQ69G5FAV'),
    encodeGlobalID('Order', 'no-colon'),
    encodeGlobalID('Product', ''),
    encodeGlobalID('Product', 'x'.repeat(3_000)),
    encodeGlobalID('Customer', 'y'.repeat(3_000)),
    encodeGlobalID('Nope', 'x'),
    'not-an-id',
    '',
    '🙂',
  ];
  const featured = await postGraphQL(server.url, {
    query: '{ featuredProducts(first: 2) { pageInfo { endCursor } } }',
  });
  const cursor = dataOf<{ featuredProducts: { pageInfo: { endCursor: string } } }>(featured)
    .featuredProducts.pageInfo.endCursor;
  const strings = [
    'tools',
    'toys',
    'nope',
    'garden-tools',
    'A name',
    'someone@example.com',
    'not an email',
    'USD',
    'usd',
    cursor,
    `${cursor}x`,
    'v1.e30.AAAA',
    `fuzz-key-${SEED}`,
    'x'.repeat(300),
    '',
  ];
  return {
    ids,
    strings,
    goodAuthorizations: [...customers, fresh, admin].map((t) => `Bearer ${t}`),
    badAuthorizations: [
      `Bearer ${expired}`,
      `Bearer ${none}`,
      'Bearer not.a.jwt',
      'Basic Zm9vOmJhcg==',
      'Bearer',
      `Bearer ${customers[0]?.slice(0, -3)}xyz`,
    ],
  };
}

describe('the fuzzer (item 8)', () => {
  it(`${REQUESTS} random and malformed requests: no 5xx, no crash, every reply well-formed`, {
    timeout: 300_000,
  }, async () => {
    const pools = await buildPools();
    // Strings from the pools or random ones, for String variables.
    const rng = new Rng(SEED);
    for (let i = 0; i < 10; i++) pools.strings.push(randomString(rng));
    const requests = Array.from({ length: REQUESTS }, (_, index) => requestFor(index, rng, pools));

    const outcomes: Sent[] = [];
    const callsBefore = table.dynamo.wire.total();
    const started = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < requests.length) {
          const request = requests[next++]!;
          outcomes.push({ request, outcome: await sendFuzz(server.origin, request) });
        }
      }),
    );
    const seconds = (performance.now() - started) / 1_000;
    const dynamoCalls = table.dynamo.wire.total() - callsBefore;

    const problems = outcomes.filter((o) => o.outcome.problem !== undefined);
    const markdown = report(outcomes, seconds, dynamoCalls, server.logs.lines);
    mkdirSync('test-results', { recursive: true });
    writeFileSync('test-results/fuzz.md', markdown);
    console.log(markdown);

    expect(outcomes).toHaveLength(REQUESTS);
    expect(problems.map((o) => `${o.outcome.problem} (request ${o.request.index})`)).toEqual([]);
    expect(crashes).toEqual([]);
    // The run reached the resolvers, not only the edge: some answers are data.
    expect(outcomes.some((o) => o.outcome.code === 'data')).toBe(true);
  });

  it('answers a normal query correctly afterwards', async () => {
    const product = control();
    const reply = await postGraphQL(server.url, {
      query:
        'query($id: ID!) { product(id: $id) { name priceCents stock category { slug } } categories { slug } }',
      variables: { id: encodeGlobalID('Product', product.id) },
    });
    expect(reply.status).toBe(200);
    const data = dataOf<{
      product: { name: string; priceCents: number; stock: number; category: { slug: string } };
      categories: Array<{ slug: string }>;
    }>(reply);
    expect(data.product).toEqual({
      name: product.name,
      priceCents: product.priceCents,
      stock: catalog.stock.get(product.id),
      category: { slug: product.categorySlug },
    });
    expect(data.categories.map((c) => c.slug)).toEqual(expect.arrayContaining(['tools', 'toys']));
    const health = await fetch(`${server.origin}/health`);
    expect(health.status).toBe(200);
    expect(crashes).toEqual([]);
  });
});
