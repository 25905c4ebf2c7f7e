import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import type { Config } from '../../src/app/config.js';
import { createApp } from '../../src/app/create-app.js';
import { serveWithJsonBody } from '../../src/http/json-body.js';
import { testConfig } from './app.js';
import { type TestTable, type WireDelta, wireCalls } from './dynamo.js';

export { type WireDelta, wireCalls };

/** Every line the app logged, parsed (pino writes one JSON object per line, synchronously). */
export class LogCapture {
  readonly lines: Array<Record<string, unknown>> = [];
  write(line: string): void {
    for (const part of line.split('\n')) {
      if (part.trim() !== '') this.lines.push(JSON.parse(part) as Record<string, unknown>);
    }
  }
  /** The lines that mention `text` anywhere (a request id, say). */
  mentioning(text: string): Array<Record<string, unknown>> {
    return this.lines.filter((line) => JSON.stringify(line).includes(text));
  }
}

export interface HttpTestServer {
  /** `http://127.0.0.1:<port>/graphql` */
  url: string;
  /** `http://127.0.0.1:<port>` */
  origin: string;
  config: Config;
  logs: LogCapture;
  table: TestTable;
  /** DynamoDB attempts on the wire (the table's own counter) while `fn` runs. */
  wireCalls<T>(fn: () => Promise<T>): Promise<WireDelta<T>>;
  close(): Promise<void>;
}

/**
 * The real app (createApp, as src/server.ts builds it) on a test table, served by `node:http`
 * on 127.0.0.1 and a free port, with its log captured. `env` overrides the test configuration
 * (NODE_ENV=production, limits, CORS_ORIGINS, ...).
 */
export async function startHttpServer(
  table: TestTable,
  env: Record<string, string> = {},
  options: { logLevel?: string } = {},
): Promise<HttpTestServer> {
  const config = testConfig(table.tableName, table.endpoint, env);
  const logs = new LogCapture();
  const logger = pino(
    {
      level: options.logLevel ?? 'info',
      base: { service: 'shop-gateway' },
      redact: { paths: ['req.headers.authorization', 'headers.authorization'], remove: true },
    },
    logs,
  );
  const app = createApp({ config, logger, client: table.dynamo.client, doc: table.dynamo.doc });
  // As `npm start` serves it: JSON bodies are read before yoga (src/http-body.ts).
  const server = createServer(serveWithJsonBody(app, config.maxBodyBytes));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}/graphql`,
    origin,
    config,
    logs,
    table,
    wireCalls: (fn) => wireCalls(table, fn),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

export interface HttpReply {
  status: number;
  headers: Headers;
  /** The raw body. */
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: GraphQLBody | undefined;
}

export interface GraphQLBody {
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; path?: unknown[]; extensions?: Record<string, unknown> }>;
  [key: string]: unknown;
}

/** fetch, with the body read and parsed when it is JSON. */
export async function send(url: string, init: RequestInit = {}): Promise<HttpReply> {
  const response = await fetch(url, init);
  const text = await response.text();
  let json: GraphQLBody | undefined;
  try {
    json = JSON.parse(text) as GraphQLBody;
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** A GraphQL POST with a JSON body (`accept: application/graphql-response+json` by default). */
export function postGraphQL(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<HttpReply> {
  return send(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json',
      ...headers,
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** The reply's `data`, typed; throws with the whole body when there is none. */
export function dataOf<T>(reply: HttpReply): T {
  if (reply.json?.data == null) {
    throw new Error(`expected data (HTTP ${reply.status}): ${reply.text.slice(0, 2_000)}`);
  }
  return reply.json.data as T;
}
