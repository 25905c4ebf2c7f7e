import { randomUUID } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { bearerToken, createTokenVerifier } from '../auth/tokens.js';
import type { Viewer } from '../auth/viewer.js';
import { authenticationFailure } from '../errors/to-graphql.js';
import type { ShopPubSub } from '../events/pubsub.js';
import type { RequestIds } from '../plugins/use-request-id.js';
import { createRepositories, type Repositories } from '../repositories/index.js';
import type { Admission } from '../store/admission.js';
import { CursorCodec } from '../store/cursor.js';
import { RequestDb } from '../store/request-db.js';
import type { Config } from './config.js';
import type { Logger } from './logger.js';

/** Fresh for every request: the loaders live in `db`, so nothing is shared between viewers. */
export interface Context {
  requestId: string;
  viewer: Viewer | null;
  db: RequestDb;
  repos: Repositories;
  cursors: CursorCodec;
  pubsub: ShopPubSub;
  /** Aborts at graceful shutdown: open subscriptions complete. */
  shutdown: AbortSignal | undefined;
}

export interface ContextDeps {
  config: Config;
  logger: Logger;
  doc: DynamoDBDocumentClient;
  admission: Admission;
  pubsub: ShopPubSub;
  requestIds: RequestIds;
  shutdown: AbortSignal | undefined;
  /** Off only in the benchmark's feature runs (src/app/ablation.ts). */
  signCursors?: boolean;
}

/**
 * Yoga's context factory: the viewer from the bearer token, and the request's own RequestDb and
 * repositories. Built without a promise when there is no token (most catalog reads): an async
 * factory would put a promise and a microtask turn into every request's path.
 */
export function createContextFactory(deps: ContextDeps) {
  const { config, logger, requestIds } = deps;
  const cursors = new CursorCodec(config.cursorSecret, { sign: deps.signCursors ?? true });
  const verifyToken = createTokenVerifier(config.jwt);
  return ({ request }: { request: Request }): Context | Promise<Context> => {
    const requestId = requestIds.idOf(request) ?? randomUUID();
    const build = (viewer: Viewer | null): Context => {
      const db = new RequestDb({
        doc: deps.doc,
        tableName: config.tableName,
        admission: deps.admission,
        deadlineMs: config.admission.deadlineMs,
        startedAt: requestIds.startedAt(request),
      });
      return {
        requestId,
        viewer,
        db,
        repos: createRepositories(db, cursors, { orderStatusShards: config.orderStatusShards }),
        cursors,
        pubsub: deps.pubsub,
        shutdown: deps.shutdown,
      };
    };
    let token: string | null;
    try {
      token = bearerToken(request.headers.get('authorization'));
    } catch (error) {
      // Not a bearer token at all (another scheme, a malformed header): a plain challenge.
      return authenticationFailure(error, requestId, logger, false);
    }
    if (!token) return build(null);
    return verifyToken(token).then(build, (error: unknown) =>
      authenticationFailure(error, requestId, logger, true),
    );
  };
}
