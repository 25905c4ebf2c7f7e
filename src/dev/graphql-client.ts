/**
 * The one GraphQL client of the development tools and the tests: a POST of a document (its text,
 * or an operation of documents/ by name, see documents.ts) to a URL or to an in-process app
 * (anything with yoga's `fetch`), answered as status, headers and the body, raw and parsed.
 */
import { type DocumentOperation, documentOperation } from './documents.js';

/** A GraphQL endpoint URL, or an app answering `fetch` in-process (createApp's yoga). */
export type GraphQLTarget =
  | string
  | { fetch(url: string, init: RequestInit): Response | Promise<Response> };

export interface GraphQLError {
  message: string;
  path?: unknown[];
  extensions?: Record<string, unknown>;
}

export interface GraphQLBody<T = Record<string, unknown>> {
  data?: T | null;
  errors?: GraphQLError[];
  extensions?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface GraphQLReply<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  /** The raw body. */
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: GraphQLBody<T> | undefined;
  data?: T | null;
  errors?: GraphQLError[];
  extensions?: Record<string, unknown>;
  /** From sending to the whole body read. */
  ms: number;
}

export interface GraphQLRequest {
  /** The document's text, or `{ operation: 'Name' }` for an operation of documents/. */
  query: string | { operation: string };
  variables?: Record<string, unknown>;
  operationName?: string;
}

export interface SendOptions {
  token?: string;
  headers?: Record<string, string>;
  /** `application/graphql-response+json` unless given. */
  accept?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** The in-process app is called at this URL; yoga serves /graphql whatever the host. */
const IN_PROCESS_ORIGIN = 'http://yoga';

/** `path` on the target: an absolute URL's origin, or the in-process app. */
export function targetFetch(
  target: GraphQLTarget,
  path: string,
  init: RequestInit = {},
): Promise<Response> {
  if (typeof target === 'string') return fetch(new URL(path, target), init);
  return Promise.resolve(target.fetch(`${IN_PROCESS_ORIGIN}${path}`, init));
}

function endpoint(target: GraphQLTarget, init: RequestInit): Promise<Response> {
  if (typeof target === 'string') return fetch(target, init);
  return Promise.resolve(target.fetch(`${IN_PROCESS_ORIGIN}/graphql`, init));
}

/** The JSON body for a request; a named operation of documents/ is sent with its name. */
export function requestBody(request: GraphQLRequest): string {
  const { query, variables = {} } = request;
  if (typeof query === 'string') {
    return JSON.stringify({
      query,
      variables,
      ...(request.operationName ? { operationName: request.operationName } : {}),
    });
  }
  const op: DocumentOperation = documentOperation(query.operation);
  return JSON.stringify({ query: op.text, operationName: op.name, variables });
}

function headersFor(options: SendOptions): Record<string, string> {
  return {
    'content-type': 'application/json',
    accept: options.accept ?? 'application/graphql-response+json',
    ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
    ...options.headers,
  };
}

function signalFor(options: SendOptions): AbortSignal | undefined {
  if (options.timeoutMs === undefined) return options.signal;
  const timeout = AbortSignal.timeout(options.timeoutMs);
  return options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
}

/** The POST as it is answered, body unread: for event streams (subscriptions over SSE). */
export function openGraphQL(
  target: GraphQLTarget,
  request: GraphQLRequest,
  options: SendOptions = {},
): Promise<Response> {
  const signal = signalFor(options);
  return endpoint(target, {
    method: 'POST',
    headers: headersFor(options),
    body: requestBody(request),
    ...(signal ? { signal } : {}),
  });
}

/** Reads a response into a reply: the body parsed when it is JSON, kept raw either way. */
export async function readReply<T>(response: Response, started: number): Promise<GraphQLReply<T>> {
  const text = await response.text();
  let json: GraphQLBody<T> | undefined;
  try {
    json = JSON.parse(text) as GraphQLBody<T>;
  } catch {
    json = undefined;
  }
  const reply: GraphQLReply<T> = {
    status: response.status,
    headers: response.headers,
    text,
    json,
    ms: performance.now() - started,
  };
  if (json && typeof json === 'object' && !Array.isArray(json)) {
    if ('data' in json) reply.data = json.data;
    if (json.errors) reply.errors = json.errors;
    if (json.extensions) reply.extensions = json.extensions;
  }
  return reply;
}

/** One GraphQL request. Throws only when no response came (refused, reset, timed out). */
export async function sendGraphQL<T = Record<string, unknown>>(
  target: GraphQLTarget,
  request: GraphQLRequest,
  options: SendOptions = {},
): Promise<GraphQLReply<T>> {
  const started = performance.now();
  return readReply<T>(await openGraphQL(target, request, options), started);
}

/**
 * A POST to the GraphQL endpoint with a body as given (a string is sent verbatim: malformed
 * JSON, batches, odd content types), JSON headers unless overridden.
 */
export async function postGraphQL<T = Record<string, unknown>>(
  target: GraphQLTarget,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<GraphQLReply<T>> {
  const started = performance.now();
  const response = await endpoint(target, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json',
      ...headers,
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return readReply<T>(response, started);
}

/** The reply's data, typed; a non-200 answer or any error throws with the whole body. */
export function expectOk<T>(reply: GraphQLReply<T>, what = 'request'): T {
  if (reply.status !== 200 || reply.errors?.length || reply.data == null) {
    throw new Error(`${what} failed (HTTP ${reply.status}): ${reply.text.slice(0, 4_000)}`);
  }
  return reply.data;
}
