/**
 * The tests' GraphQL client: src/dev/graphql-client.ts (the development tools use the same one),
 * plus the operations of documents/ by name. A target is a URL or an in-process app
 * (createTestApp's `app`); every reply has the status, the headers and the body.
 */
import { documentOperation, documentOperations } from '../../src/dev/documents.js';
import {
  expectOk,
  type GraphQLReply,
  type GraphQLTarget,
  readReply,
  type SendOptions,
  sendGraphQL,
} from '../../src/dev/graphql-client.js';

export {
  expectOk,
  type GraphQLBody,
  type GraphQLError,
  type GraphQLReply,
  type GraphQLTarget,
  openGraphQL,
  postGraphQL,
  requestBody,
  type SendOptions,
  sendGraphQL,
  targetFetch,
} from '../../src/dev/graphql-client.js';

/** A reply to any HTTP request (GET /metrics, a preflight, a GraphQL POST). */
export type HttpReply = GraphQLReply;

// biome-ignore lint/suspicious/noExplicitAny: operation answers are checked field by field
export type OperationData = any;

/** The text of documents/' operation `name`. */
export function operation(name: string): string {
  return documentOperation(name).text;
}

/** The names of every operation in documents/. */
export function operationNames(): string[] {
  return [...documentOperations().keys()];
}

/**
 * Sends documents/' operation `name` as a client would and returns its data; a non-200 answer
 * or any error fails with the whole response.
 */
export async function runOperation(
  target: GraphQLTarget,
  name: string,
  variables: Record<string, unknown> = {},
  token?: string,
): Promise<OperationData> {
  const options: SendOptions = token ? { token } : {};
  return expectOk(
    await sendGraphQL(target, { query: { operation: name }, variables }, options),
    name,
  );
}

/** fetch, with the body read and parsed when it is JSON. */
export async function send(url: string, init: RequestInit = {}): Promise<HttpReply> {
  const started = performance.now();
  return readReply(await fetch(url, init), started);
}

/** The reply's `data`, typed; throws with the whole body when there is none. */
export function dataOf<T>(reply: GraphQLReply<unknown>): T {
  if (reply.json?.data == null) {
    throw new Error(`expected data (HTTP ${reply.status}): ${reply.text.slice(0, 2_000)}`);
  }
  return reply.json.data as T;
}
