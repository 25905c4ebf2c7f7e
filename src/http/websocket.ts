import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { type ExecutionArgs, GraphQLError } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { App } from '../app/create-app.js';

export interface GraphqlWs {
  /** Sockets open now. */
  open(): number;
  /** No new upgrades; open sockets close with 1001 (Going Away), their subscriptions complete. */
  close(): Promise<void>;
}

type Enveloped = ReturnType<App['getEnveloped']>;

const socketRequests = new WeakSet<Request>();

/**
 * True for the stand-in Request of an operation sent over a socket: plugins that work on
 * yoga's HTTP hooks (the response cache) leave it alone.
 */
export const isSocketRequest = (request: Request): boolean => socketRequests.has(request);

/**
 * graphql-ws (the `graphql-transport-ws` subprotocol Apollo's GraphQLWsLink and urql use) on
 * the HTTP server's `path`. Each operation runs through the yoga app's own envelop
 * (getEnveloped), so the schema, authorization, query limits, rate limits, error masking and
 * metrics are the HTTP path's. The token comes from `connectionParams.authorization`
 * (`Bearer …`) or `connectionParams.token`; a refused one closes the socket with 4403.
 */
export function attachGraphqlWs(
  server: Server,
  app: App,
  options: { maxBodyBytes: number; path?: string },
): GraphqlWs {
  const path = options.path ?? '/graphql';
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxBodyBytes });
  let accepting = true;
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const pathname = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (!accepting || pathname !== path) {
      socket.end(
        accepting
          ? 'HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n'
          : 'HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nConnection: close\r\n\r\n',
      );
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
  });

  const requestFor = (params: Record<string, unknown> | undefined): Request => {
    const authorization =
      typeof params?.authorization === 'string'
        ? params.authorization
        : typeof params?.token === 'string'
          ? `Bearer ${params.token}`
          : undefined;
    const request = new Request(`http://localhost${path}`, {
      method: 'POST',
      headers: authorization ? { authorization } : {},
    });
    socketRequests.add(request);
    return request;
  };

  useServer<Record<string, unknown> | undefined>(
    {
      connectionInitWaitTimeout: 5_000,
      // The token is checked once, at connection: a bad one gets no socket at all.
      onConnect: async (ctx) => {
        const enveloped = app.getEnveloped({ request: requestFor(ctx.connectionParams) });
        try {
          await enveloped.contextFactory();
          return true;
        } catch (error) {
          if (error instanceof GraphQLError) return false;
          throw error;
        }
      },
      onSubscribe: async (ctx, _id, payload) => {
        const request = requestFor(ctx.connectionParams);
        const enveloped: Enveloped = app.getEnveloped({ request, params: payload });
        try {
          const document = enveloped.parse(payload.query);
          // The query limits throw their error rather than return it.
          const errors = enveloped.validate(enveloped.schema, document);
          if (errors.length > 0) return [...errors];
          return {
            schema: enveloped.schema,
            document,
            operationName: payload.operationName ?? null,
            variableValues: payload.variables ?? null,
            contextValue: await enveloped.contextFactory(),
            rootValue: { execute: enveloped.execute, subscribe: enveloped.subscribe },
          } satisfies ExecutionArgs;
        } catch (error) {
          // The client's errors (syntax, limits, a refused token) go back as graphql-ws errors.
          if (error instanceof GraphQLError) return [error];
          throw error;
        }
      },
      execute: (args) => (args.rootValue as Pick<Enveloped, 'execute'>).execute(args),
      subscribe: (args) => (args.rootValue as Pick<Enveloped, 'subscribe'>).subscribe(args),
    },
    wss,
  );

  return {
    open: () => wss.clients.size,
    async close() {
      accepting = false;
      for (const socket of wss.clients) socket.close(1001, 'Going away');
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
