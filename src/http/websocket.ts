import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { type ExecutionArgs, GraphQLError, getOperationAST } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { App } from '../app/create-app.js';
import { SHED_MESSAGE } from '../errors/to-graphql.js';
import type { OverloadCheck } from '../plugins/use-overload.js';

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
 *
 * Overload is shed as on HTTP, by the same check (useOverload's): an upgrade gets 503 with
 * Retry-After, and an operation on an open socket gets a SERVICE_UNAVAILABLE error instead
 * of running. A socket may hold `maxSubscriptions` subscriptions at once: one socket must not
 * tie up the stream's fan-out for many clients; past it the operation is refused, the socket
 * stays open.
 */
export function attachGraphqlWs(
  server: Server,
  app: App,
  options: {
    maxBodyBytes: number;
    maxSubscriptions: number;
    overloaded?: OverloadCheck;
    path?: string;
  },
): GraphqlWs {
  const path = options.path ?? '/graphql';
  const overloaded = options.overloaded ?? (() => undefined);
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxBodyBytes });
  let accepting = true;
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const pathname = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (pathname !== path) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    const retryAfter = accepting ? overloaded() : 1;
    if (retryAfter !== undefined) {
      socket.end(
        `HTTP/1.1 503 Service Unavailable\r\nRetry-After: ${retryAfter}\r\nConnection: close\r\n\r\n`,
      );
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
  });

  // The ids of each socket's subscriptions; graphql-ws drops an id from ctx.subscriptions when
  // its operation ends, so an id no longer there has ended.
  const subscriptionIds = new WeakMap<object, Set<string>>();
  const overCap = (ctx: { subscriptions: Record<string, unknown> }, id: string): boolean => {
    const ids = subscriptionIds.get(ctx) ?? new Set<string>();
    subscriptionIds.set(ctx, ids);
    for (const open of ids) if (!(open in ctx.subscriptions)) ids.delete(open);
    if (ids.size >= options.maxSubscriptions) return true;
    ids.add(id);
    return false;
  };

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
      onSubscribe: async (ctx, id, payload) => {
        const retryAfter = overloaded();
        if (retryAfter !== undefined) {
          return [
            new GraphQLError(SHED_MESSAGE, {
              extensions: { code: 'SERVICE_UNAVAILABLE', retryAfterSeconds: retryAfter },
            }),
          ];
        }
        const request = requestFor(ctx.connectionParams);
        const enveloped: Enveloped = app.getEnveloped({ request, params: payload });
        try {
          const document = enveloped.parse(payload.query);
          // The query limits throw their error rather than return it.
          const errors = enveloped.validate(enveloped.schema, document);
          if (errors.length > 0) return [...errors];
          const operation = getOperationAST(document, payload.operationName);
          if (operation?.operation === 'subscription' && overCap(ctx, id)) {
            return [
              new GraphQLError(
                `At most ${options.maxSubscriptions} subscriptions may be open on one socket: complete one first`,
                { extensions: { code: 'TOO_MANY_SUBSCRIPTIONS' } },
              ),
            ];
          }
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

  let closed: Promise<void> | undefined;
  return {
    open: () => wss.clients.size,
    // Once: the shutdown and a test's cleanup may both ask.
    close() {
      closed ??= new Promise<void>((resolve) => {
        accepting = false;
        for (const socket of wss.clients) socket.close(1001, 'Going away');
        wss.close(() => resolve());
      });
      return closed;
    },
  };
}
