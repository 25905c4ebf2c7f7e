import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { expect } from 'vitest';
import type { Config } from '../../src/app/config.js';
import { type AppDeps, admissionFor, createApp } from '../../src/app/create-app.js';
import { signDevToken } from '../../src/auth/tokens.js';
import { serveWithJsonBody } from '../../src/http/json-body.js';
import { attachGraphqlWs, type GraphqlWs } from '../../src/http/websocket.js';
import { overloadCheck } from '../../src/plugins/use-overload.js';
import { TEST_JWT_SECRET, testConfig } from './app.js';
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
  /** `ws://127.0.0.1:<port>/graphql`: graphql-ws */
  wsUrl: string;
  /** `http://127.0.0.1:<port>` */
  origin: string;
  config: Config;
  logs: LogCapture;
  table: TestTable;
  /** graphql-ws on the server: `sockets.close()` is the shutdown's step (no upgrades, 1001). */
  sockets: GraphqlWs;
  /** DynamoDB attempts on the wire (the table's own counter) while `fn` runs. */
  wireCalls<T>(fn: () => Promise<T>): Promise<WireDelta<T>>;
  close(): Promise<void>;
}

/**
 * The real app (createApp, as src/app/run-gateway.ts builds it) on a test table, served by `node:http`
 * on 127.0.0.1 and a free port, with its log captured. `env` overrides the test configuration
 * (NODE_ENV=production, limits, CORS_ORIGINS, ...).
 */
export async function startHttpServer(
  table: TestTable,
  env: Record<string, string> = {},
  options: { logLevel?: string } & Pick<
    AppDeps,
    'fleet' | 'pubsub' | 'shutdown' | 'admission'
  > = {},
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
  // As src/app/run-gateway.ts wires them: one admission for the app and graphql-ws.
  const admission = options.admission ?? admissionFor(config);
  let sockets: GraphqlWs | undefined;
  const app = createApp({
    config,
    logger,
    admission,
    webSocketsOpen: () => sockets?.open() ?? 0,
    client: table.dynamo.client,
    doc: table.dynamo.doc,
    ...(options.fleet ? { fleet: options.fleet } : {}),
    ...(options.pubsub ? { pubsub: options.pubsub } : {}),
    ...(options.shutdown ? { shutdown: options.shutdown } : {}),
  });
  // As `npm start` serves it: JSON bodies are read before yoga (src/http-body.ts).
  const server = createServer(serveWithJsonBody(app, config.maxBodyBytes));
  const graphqlWs = attachGraphqlWs(server, app, {
    maxBodyBytes: config.maxBodyBytes,
    maxSubscriptions: config.wsMaxSubscriptions,
    overloaded: overloadCheck(admission, config.admission.deadlineMs),
  });
  sockets = graphqlWs;
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
    wsUrl: `ws://127.0.0.1:${port}/graphql`,
    origin,
    config,
    logs,
    table,
    sockets: graphqlWs,
    wireCalls: (fn) => wireCalls(table, fn),
    close: async () => {
      await graphqlWs.close();
      await new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}

/** An admin restocks `productId` (a global id) through the server at `url`: one stream event. */
export async function restockOverHttp(
  url: string,
  productId: string,
  quantity: number,
): Promise<void> {
  const admin = await signDevToken(TEST_JWT_SECRET, { sub: 'restock-admin', admin: true });
  const reply = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
    body: JSON.stringify({
      query: 'mutation($p: ID!, $q: Int!) { restock(productId: $p, quantity: $q) { __typename } }',
      variables: { p: productId, q: quantity },
    }),
  });
  expect((await reply.json()).data.restock.__typename).toBe('RestockSuccess');
}
