import { createServer, type Server, type ServerResponse } from 'node:http';
import type { App } from '../app/create-app.js';
import { errorResponse } from '../errors/to-graphql.js';
import { serveWithJsonBody } from './json-body.js';

export interface NodeServer {
  server: Server;
  /** Requests being answered now. */
  inFlight(): number;
  /**
   * Stops taking requests and resolves once every response in flight is sent; after `graceMs`
   * the connections still open are closed.
   */
  drain(graceMs: number): Promise<void>;
}

/**
 * The app on node:http. Draining: a request that arrives on a kept-alive connection after
 * drain() gets 503 and `Connection: close` (a load balancer retries it elsewhere); a response
 * still in flight closes its connection once sent, so no connection outlives the drain.
 */
export function createNodeServer(app: App, options: { maxBodyBytes: number }): NodeServer {
  let stopping = false;
  const inFlight = new Set<ServerResponse>();
  const serve = serveWithJsonBody(app, options.maxBodyBytes);
  const server = createServer((request, response) => {
    if (stopping) {
      void sendRefusal(response);
      return;
    }
    inFlight.add(response);
    response.once('close', () => {
      inFlight.delete(response);
      if (stopping) server.closeIdleConnections();
    });
    serve(request, response);
  });
  server.keepAliveTimeout = 65_000;
  return {
    server,
    inFlight: () => inFlight.size,
    async drain(graceMs) {
      stopping = true;
      const force = setTimeout(() => server.closeAllConnections(), graceMs);
      force.unref();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const response of inFlight) {
        if (!response.headersSent) response.setHeader('connection', 'close');
      }
      server.closeIdleConnections();
      await closed;
      clearTimeout(force);
    },
  };
}

async function sendRefusal(response: ServerResponse): Promise<void> {
  const refusal = errorResponse(503, 'The server is shutting down', 'SERVICE_UNAVAILABLE', {
    connection: 'close',
    'retry-after': '1',
  });
  response.writeHead(refusal.status, Object.fromEntries(refusal.headers));
  response.end(await refusal.text());
}
