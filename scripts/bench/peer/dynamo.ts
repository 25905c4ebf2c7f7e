/**
 * The peer's own DynamoDB client: what a team that writes its own gateway would set up. One
 * DynamoDBClient with a keep-alive agent (NodeHttpHandler), the document client over it, and a
 * count of every call that goes on the wire (at the SDK's middleware, once per attempt), which
 * the bench reads on `/stats`. Nothing else: no capacity reporting, no scan guard, no admission.
 */
import { Agent } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';

export interface PeerDynamoOptions {
  region: string;
  endpoint?: string | undefined;
  /** Fixed credentials for DynamoDB Local; otherwise the SDK's default chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string } | undefined;
  /** Sees every attempt's command name and its (marshalled) input: the parity test's probe. */
  onCall?: ((command: string, input: unknown) => void) | undefined;
}

export interface PeerDynamo {
  doc: DynamoDBDocumentClient;
  /** Attempts on the wire so far, by DynamoDB operation (`BatchGetItem`, `Query`). */
  calls(): Record<string, number>;
  destroy(): void;
}

export function createPeerDynamo(options: PeerDynamoOptions): PeerDynamo {
  const client = new DynamoDBClient({
    region: options.region,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    requestHandler: new NodeHttpHandler({
      httpAgent: new Agent({ keepAlive: true, maxSockets: 256 }),
    }),
  });
  const counts = new Map<string, number>();
  const { onCall } = options;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = String(context.commandName ?? 'unknown').replace(/Command$/, '');
      counts.set(command, (counts.get(command) ?? 0) + 1);
      onCall?.(command, args.input);
      return next(args);
    },
    // Low priority in finalizeRequest runs inside the retry middleware: one count per attempt.
    { step: 'finalizeRequest', name: 'peerCallCounter', priority: 'low' },
  );
  const doc = DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true },
  });
  return {
    doc,
    calls: () => Object.fromEntries(counts),
    destroy: () => client.destroy(),
  };
}
