/**
 * The gateway as frontend apps use it: unmodified Apollo Client 4 and urql over real HTTP, with
 * the normalized caches they ship. Subscription transports and persisted queries have suites of
 * their own.
 */
import { readFileSync } from 'node:fs';
import { ApolloClient, gql, HttpLink, InMemoryCache } from '@apollo/client';
import { relayStylePagination } from '@apollo/client/utilities';
import { Client, cacheExchange, fetchExchange, gql as urqlGql } from '@urql/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signDevToken } from '../../src/auth/tokens.js';
import { TEST_JWT_SECRET } from '../helpers/app.js';
import { createTestTable, type TestTable } from '../helpers/dynamo.js';
import { type Catalog, loadCatalog } from '../helpers/fixtures.js';
import { type HttpTestServer, startHttpServer } from '../helpers/http-server.js';

const { possibleTypes } = JSON.parse(
  readFileSync(new URL('../../schema/possible-types.json', import.meta.url), 'utf8'),
) as { possibleTypes: Record<string, string[]> };

let table: TestTable;
let catalog: Catalog;
let server: HttpTestServer;

beforeAll(async () => {
  table = await createTestTable('frontend');
  catalog = await loadCatalog(table);
  server = await startHttpServer(table);
});

afterAll(async () => {
  await server?.close();
  await table?.drop();
});

/** Requests a client sent, so a test can tell a cache hit from a refetch. */
function countingFetch() {
  const sent: string[] = [];
  const fetchFn: typeof fetch = (input, init) => {
    sent.push(typeof init?.body === 'string' ? init.body : String(input));
    return fetch(input, init);
  };
  return { sent, fetch: fetchFn };
}

function apollo(options: { token?: string; fetch?: typeof fetch } = {}) {
  return new ApolloClient({
    link: new HttpLink({
      uri: server.url,
      ...(options.fetch ? { fetch: options.fetch } : {}),
      headers: options.token ? { authorization: `Bearer ${options.token}` } : {},
    }),
    cache: new InMemoryCache({
      possibleTypes,
      typePolicies: {
        Category: { fields: { products: relayStylePagination(['minPriceCents', 'sort']) } },
      },
    }),
  });
}

async function customerWithProfile(name: string): Promise<string> {
  const token = await signDevToken(TEST_JWT_SECRET, { sub: `${name}-${Date.now()}` });
  const client = apollo({ token });
  const { data } = await client.mutate<{ createProfile: { __typename: string } }>({
    mutation: gql`
      mutation CreateProfile($input: CreateProfileInput!) {
        createProfile(input: $input) { __typename }
      }
    `,
    variables: { input: { name: 'Frontend Customer', email: `${name}-${Date.now()}@example.com` } },
  });
  expect(data?.createProfile.__typename).toBe('CreateProfileSuccess');
  return token;
}

const ME = gql`
  query MeCart {
    me {
      id
      orderCount
      cart { id totalCents items { quantity product { id priceCents } } }
    }
  }
`;

interface MeCart {
  me: {
    id: string;
    orderCount: number;
    cart: {
      id: string;
      totalCents: number;
      items: Array<{ quantity: number; product: { id: string } }>;
    };
  };
}

const ADD_TO_CART = gql`
  mutation AddToCart($productId: ID!, $quantity: Int!) {
    addToCart(productId: $productId, quantity: $quantity) {
      __typename
      ... on AddToCartSuccess { cart { id totalCents items { quantity product { id priceCents } } } }
      ... on Error { message }
    }
  }
`;

describe('Apollo Client 4', () => {
  it("updates me.cart in its cache from addToCart's answer, with no refetch", async () => {
    const token = await customerWithProfile('apollo-cart');
    const counted = countingFetch();
    const client = apollo({ token, fetch: counted.fetch });
    const before = await client.query<MeCart>({ query: ME });
    expect(before.data?.me.cart.items).toEqual([]);
    const product = catalog.products[1]!;
    const productId = Buffer.from(`Product:${product.id}`).toString('base64');

    await client.mutate({ mutation: ADD_TO_CART, variables: { productId, quantity: 2 } });
    const sentBefore = counted.sent.length;
    const after = client.readQuery<MeCart>({ query: ME });
    const cached = await client.query<MeCart>({ query: ME, fetchPolicy: 'cache-only' });

    expect(counted.sent.length).toBe(sentBefore);
    expect(after?.me.cart.items).toEqual([
      {
        __typename: 'CartItem',
        quantity: 2,
        product: { __typename: 'Product', id: productId, priceCents: product.priceCents },
      },
    ]);
    expect(after?.me.cart.totalCents).toBe(product.priceCents * 2);
    expect(cached.data?.me.cart.id).toBe(before.data?.me.cart.id);
  });

  it("updates the viewer's order count and empties its cart from placeOrder's viewer", async () => {
    const token = await customerWithProfile('apollo-order');
    const counted = countingFetch();
    const client = apollo({ token, fetch: counted.fetch });
    const productId = Buffer.from(`Product:${catalog.products[2]!.id}`).toString('base64');
    await client.mutate({ mutation: ADD_TO_CART, variables: { productId, quantity: 1 } });
    const before = await client.query<MeCart>({ query: ME });
    expect(before.data?.me.cart.items).toHaveLength(1);
    expect(before.data?.me.orderCount).toBe(0);

    const { data } = await client.mutate<{ placeOrder: { __typename: string } }>({
      mutation: gql`
        mutation PlaceOrder($input: PlaceOrderInput!) {
          placeOrder(input: $input) {
            __typename
            ... on PlaceOrderSuccess {
              order { id status }
              viewer { id orderCount cart { id totalCents items { quantity product { id priceCents } } } }
            }
            ... on Error { message }
          }
        }
      `,
      variables: { input: { idempotencyKey: `apollo-${Date.now()}`, fromCart: true } },
    });
    expect(data?.placeOrder.__typename).toBe('PlaceOrderSuccess');
    const sent = counted.sent.length;
    const after = client.readQuery<MeCart>({ query: ME });
    expect(counted.sent.length).toBe(sent);
    expect(after?.me.orderCount).toBe(1);
    expect(after?.me.cart.items).toEqual([]);
    expect(after?.me.cart.totalCents).toBe(0);
  });

  it('reads the fields of `... on Error` with the generated possibleTypes', async () => {
    const token = await customerWithProfile('apollo-error');
    const client = apollo({ token });
    const { data } = await client.mutate<{ addToCart: { __typename: string; message?: string } }>({
      mutation: ADD_TO_CART,
      variables: { productId: Buffer.from('Product:none').toString('base64'), quantity: 1 },
    });
    expect(data?.addToCart.__typename).toBe('NotFoundError');
    expect(data?.addToCart.message).toMatch(/not found/i);
  });

  it('pages a category with relayStylePagination and fetchMore over the signed cursor', async () => {
    const client = apollo();
    const PAGE = gql`
      query CategoryPage($slug: String!, $first: Int, $after: String) {
        category(slug: $slug) {
          id
          products(first: $first, after: $after) {
            edges { cursor node { id priceCents } }
            pageInfo { hasNextPage endCursor }
          }
        }
      }
    `;
    interface Page {
      category: {
        products: {
          edges: Array<{ node: { priceCents: number } }>;
          pageInfo: { hasNextPage: boolean; endCursor: string };
        };
      };
    }
    const variables = { slug: 'tools', first: 20 };
    const watched = client.watchQuery<Page>({ query: PAGE, variables });
    const first = await client.query<Page>({ query: PAGE, variables });
    expect(first.data?.category.products.edges).toHaveLength(20);
    await watched.fetchMore({
      variables: { after: first.data?.category.products.pageInfo.endCursor },
    });
    await watched.fetchMore({
      variables: {
        after: client.readQuery<Page>({ query: PAGE, variables })?.category.products.pageInfo
          .endCursor,
      },
    });
    const merged = client.readQuery<Page>({ query: PAGE, variables });
    const prices = merged?.category.products.edges.map((edge) => edge.node.priceCents);
    const tools = catalog.products.filter((p) => p.categorySlug === 'tools');
    expect(prices).toHaveLength(tools.length);
    expect(new Set(prices).size).toBe(tools.length);
    expect(merged?.category.products.pageInfo.hasNextPage).toBe(false);
  });
});

describe('urql', () => {
  it('queries over GET and refetches the cart its document cache invalidated after addToCart', async () => {
    const token = await customerWithProfile('urql');
    const counted = countingFetch();
    const client = new Client({
      url: server.url,
      exchanges: [cacheExchange, fetchExchange],
      preferGetMethod: true,
      fetch: counted.fetch,
      fetchOptions: { headers: { authorization: `Bearer ${token}` } },
    });
    const me = urqlGql`
      query MeCart { me { id cart { id totalCents items { quantity } } } }
    `;
    const empty = await client.query(me, {}).toPromise();
    expect(empty.error).toBeUndefined();
    expect(empty.data.me.cart.items).toEqual([]);
    const hit = await client.query(me, {}).toPromise();
    expect(hit.operation.context.meta?.cacheOutcome).toBe('hit');
    const product = catalog.products[3]!;
    const added = await client
      .mutation(
        urqlGql`
          mutation AddToCart($productId: ID!, $quantity: Int!) {
            addToCart(productId: $productId, quantity: $quantity) {
              __typename
              ... on AddToCartSuccess { cart { id totalCents } }
              ... on Error { message }
            }
          }
        `,
        { productId: Buffer.from(`Product:${product.id}`).toString('base64'), quantity: 3 },
      )
      .toPromise();
    expect(added.data.addToCart.__typename).toBe('AddToCartSuccess');
    const refetched = await client.query(me, {}).toPromise();
    expect(refetched.operation.context.meta?.cacheOutcome).not.toBe('hit');
    expect(refetched.data.me.cart.totalCents).toBe(product.priceCents * 3);
    expect(counted.sent.some((url) => url.includes('?query='))).toBe(true);
  });
});
