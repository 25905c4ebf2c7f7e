/**
 * The peer: Apollo Server 5 on node:http (the handler `startStandaloneServer` wraps, without its
 * CORS and body-parser layers), a context per request with fresh DataLoaders and the viewer.
 * `GET /health` answers ok; `GET /stats` the DynamoDB calls this process has made so far.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, HeaderMap } from '@apollo/server';
import { type AuthOptions, createViewerOf } from './auth.js';
import { createPeerDynamo, type PeerDynamoOptions } from './dynamo.js';
import { createLoaders } from './loaders.js';
import { type PeerContext, resolvers } from './resolvers.js';
import { typeDefs } from './schema.js';

export interface PeerServerOptions extends AuthOptions {
  tableName: string;
  dynamo: PeerDynamoOptions;
  host?: string;
  /** 0: any free port. */
  port: number;
}

export interface PeerServer {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** DynamoDB calls so far, by operation. */
  calls(): Record<string, number>;
  stop(): Promise<void>;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

export async function createPeerServer(options: PeerServerOptions): Promise<PeerServer> {
  const dynamo = createPeerDynamo(options.dynamo);
  const viewerOf = createViewerOf(options);
  const apollo = new ApolloServer<PeerContext>({ typeDefs, resolvers });
  await apollo.start();

  const server: Server = createServer(async (request, response) => {
    const url = request.url ?? '/';
    if (request.method === 'GET' && url === '/health') {
      response.end('ok');
      return;
    }
    if (request.method === 'GET' && url === '/stats') {
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify(dynamo.calls()));
      return;
    }
    try {
      const headers = new HeaderMap();
      for (const [name, value] of Object.entries(request.headers)) {
        if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
      }
      const text = request.method === 'POST' ? await readBody(request) : '';
      const at = url.indexOf('?');
      const result = await apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: {
          method: request.method ?? 'GET',
          headers,
          search: at >= 0 ? url.slice(at) : '',
          body: text ? JSON.parse(text) : undefined,
        },
        context: async () => ({
          doc: dynamo.doc,
          tableName: options.tableName,
          loaders: createLoaders(dynamo.doc, options.tableName),
          viewer: await viewerOf(request.headers.authorization),
        }),
      });
      for (const [name, value] of result.headers) response.setHeader(name, value);
      response.statusCode = result.status ?? 200;
      if (result.body.kind === 'complete') {
        response.end(result.body.string);
        return;
      }
      for await (const chunk of result.body.asyncIterator) response.write(chunk);
      response.end();
    } catch (error) {
      response.statusCode = error instanceof SyntaxError ? 400 : 500;
      response.end(JSON.stringify({ errors: [{ message: String(error) }] }));
    }
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    calls: dynamo.calls,
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await apollo.stop();
      dynamo.destroy();
    },
  };
}
