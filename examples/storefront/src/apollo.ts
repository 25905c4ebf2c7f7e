import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { relayStylePagination } from '@apollo/client/utilities';
import { OperationTypeNode } from 'graphql';
import { createClient } from 'graphql-ws';
import generated from '../../../schema/possible-types.json';

export interface ClientOptions {
  token: string | null;
  /** The gateway refused the token (401): it expired or was revoked. */
  onUnauthorized: () => void;
  /** The WebSocket that carries the subscriptions is open (true) or lost (false). */
  onLive: (live: boolean) => void;
}

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/**
 * One client per signed-in identity: a new token gets a new cache and a new socket, so nothing
 * one customer saw is shown to the next.
 */
export function createApolloClient({ token, onUnauthorized, onLive }: ClientOptions) {
  const authorization: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const http = new HttpLink({
    uri: '/graphql',
    headers: authorization,
    fetch: async (input, init) => {
      const response = await fetch(input, init);
      if (response.status === 401) onUnauthorized();
      return response;
    },
  });
  const socket = createClient({
    url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`,
    connectionParams: authorization,
    // Backs off between reconnects (graphql-ws's default is randomized exponential): a
    // restarting gateway is not met by every tab at once.
    retryAttempts: 10,
    on: { connected: () => onLive(true), closed: () => onLive(false) },
  });
  // Automatic persisted queries: a query is sent as its hash, over GET, and its text only once
  // per gateway (or Redis); anonymous catalog GETs are what a CDN can cache.
  const persisted = new PersistedQueryLink({ sha256, useGETForHashedQueries: true });
  const link = ApolloLink.split(
    ({ operationType }) => operationType === OperationTypeNode.SUBSCRIPTION,
    new GraphQLWsLink(socket),
    persisted.concat(http),
  );
  const client = new ApolloClient({
    link,
    cache: new InMemoryCache({
      // Without these the cache cannot match `... on Error` against a result union's member.
      possibleTypes: generated.possibleTypes,
      typePolicies: {
        Category: {
          fields: { products: relayStylePagination(['sort', 'minPriceCents', 'maxPriceCents']) },
        },
        Product: { fields: { reviews: relayStylePagination() } },
        // The lines have no id: each answer carries the whole list, which replaces the old one.
        Cart: { fields: { items: { merge: false } } },
      },
    }),
  });
  return {
    client,
    close: () => {
      client.stop();
      void socket.dispose();
    },
  };
}
