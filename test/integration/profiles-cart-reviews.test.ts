import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CartLine,
  cartLineItem,
  cartLineKey,
  cartLinesQuery,
} from '../../src/models/cart-line.js';
import { customerItem, customerKey } from '../../src/models/customer.js';
import { emailClaimKey } from '../../src/models/email-claim.js';
import { productItem, productKey } from '../../src/models/product.js';
import { productReviewsQuery, reviewKey } from '../../src/models/review.js';
import { reviewerClaimKey } from '../../src/models/reviewer-claim.js';
import type { KeyQuery, TableKey } from '../../src/models/table-schema.js';
import type { Item } from '../../src/store/batch-get.js';
import { createTestApp, expectData, type GraphQLResponse, type TestApp } from '../helpers/app.js';
import { createTestTable, type TestTable } from '../helpers/dynamo.js';
import { aCustomer, aProduct, type Catalog, loadCatalog, putItems } from '../helpers/fixtures.js';
import { operation } from '../helpers/graphql.js';

let table: TestTable;
let t: TestApp;
let catalog: Catalog;

beforeAll(async () => {
  table = await createTestTable('pcr');
  catalog = await loadCatalog(table);
  t = createTestApp(table);
});
afterAll(() => table.drop());

const productGid = (id: string) => encodeGlobalID('Product', id);
const customerGid = (id: string) => encodeGlobalID('Customer', id);
const DAY = 24 * 60 * 60;
const nowSeconds = () => Math.floor(Date.now() / 1000);

/** Test-side reads, straight from the table (not through the gateway, not counted in its calls). */
async function getItem(key: TableKey): Promise<Item | undefined> {
  const out = await table.dynamo.doc.send(
    new GetCommand({ TableName: table.tableName, Key: key, ConsistentRead: true }),
  );
  return out.Item;
}
async function partition(query: KeyQuery): Promise<Item[]> {
  const out = await table.dynamo.doc.send(
    new QueryCommand({
      TableName: table.tableName,
      ...query.input,
      ConsistentRead: true,
    }),
  );
  return out.Items ?? [];
}
/** A customer with a profile, written directly. */
async function withProfile(id: string): Promise<string> {
  await putItems(table, [customerItem(aCustomer(id))]);
  return t.token(id);
}
function line(customerId: string, productId: string, quantity: number, expiresAt: number): Item {
  const at = new Date((expiresAt - 7 * DAY) * 1000).toISOString();
  const cartLine: CartLine = {
    customerId,
    productId,
    quantity,
    addedAt: at,
    updatedAt: at,
    expiresAt,
  };
  return cartLineItem(cartLine);
}
function codes(response: GraphQLResponse<unknown>): unknown[] {
  return (response.errors ?? []).map((e) => e.extensions?.code);
}

type ProfileResult = {
  createProfile: {
    __typename: string;
    message?: string;
    email?: string;
    field?: string;
    customer?: { id: string; name: string; email: string; createdAt: string };
  };
};
const CREATE_PROFILE = /* GraphQL */ `
  mutation($input: CreateProfileInput!) {
    createProfile(input: $input) {
      __typename
      ... on CreateProfileSuccess { customer { id name email createdAt } }
      ... on EmailTakenError { message email }
      ... on ValidationError { message field }
      ... on AlreadyExistsError { message entity }
    }
  }`;

type CartData = {
  totalCents: number;
  expiresAt: string | null;
  items: Array<{ quantity: number; expiresAt: string; product: { id: string } | null }>;
};
type CartResult = {
  __typename: string;
  message?: string;
  field?: string;
  entity?: string;
  cart?: CartData;
};
const CART_FIELDS = 'totalCents expiresAt items { quantity expiresAt product { id } }';
const ADD_TO_CART = /* GraphQL */ `
  mutation($productId: ID!, $quantity: Int!) {
    addToCart(productId: $productId, quantity: $quantity) {
      __typename
      ... on AddToCartSuccess { cart { ${CART_FIELDS} } }
      ... on ValidationError { message field }
      ... on NotFoundError { message entity }
    }
  }`;
const REMOVE_FROM_CART = /* GraphQL */ `
  mutation($productId: ID!) {
    removeFromCart(productId: $productId) {
      __typename
      ... on RemoveFromCartSuccess { cart { ${CART_FIELDS} } }
      ... on ValidationError { message field }
    }
  }`;
const MY_CART = `query { me { cart { ${CART_FIELDS} } } }`;

async function addToCart(token: string, productId: string, quantity: number) {
  const data = expectData(
    await t.gql<{ addToCart: CartResult }>(
      ADD_TO_CART,
      { productId: productGid(productId), quantity },
      { token },
    ),
  );
  return data.addToCart;
}
async function myCart(token: string): Promise<CartData> {
  return expectData(await t.gql<{ me: { cart: CartData } }>(MY_CART, {}, { token })).me.cart;
}

// ------------------------------------------------------------------------------- profiles

describe('createProfile', () => {
  it('creates the profile of the token subject and claims the lowercased email, in one transaction', async () => {
    const token = await t.token('alice');
    const { result, calls } = await t.wireCalls(() =>
      t.gql<ProfileResult>(
        CREATE_PROFILE,
        { input: { name: '  Alice Liddell ', email: ' Alice@Example.COM ' } },
        { token },
      ),
    );
    const created = expectData(result).createProfile;
    expect(created.__typename).toBe('CreateProfileSuccess');
    expect(created.customer).toMatchObject({
      id: customerGid('alice'),
      name: 'Alice Liddell',
      email: 'Alice@Example.COM',
    });
    expect(Date.parse(created.customer!.createdAt)).toBeGreaterThan(Date.now() - 60_000);
    // The answer comes from what was written: no read after the transaction.
    expect(calls).toEqual({ TransactWriteItems: 1 });

    const profile = await getItem(customerKey('alice'));
    expect(profile).toMatchObject({ entity: 'Customer', id: 'alice', orderCount: 0 });
    const claim = await getItem(emailClaimKey('alice@example.com'));
    expect(claim).toMatchObject({ entity: 'EmailClaim', customerId: 'alice' });
    expect(claim?.PK).toBe('EMAIL#alice@example.com');
  });

  it('me shows the new profile at once (consistent read)', async () => {
    const token = await t.token('alice');
    const { result, calls } = await t.wireCalls(() =>
      t.gql<{ me: { id: string; name: string; email: string; orderCount: number } }>(
        '{ me { id name email orderCount } }',
        {},
        { token },
      ),
    );
    expect(expectData(result).me).toEqual({
      id: customerGid('alice'),
      name: 'Alice Liddell',
      email: 'Alice@Example.COM',
      orderCount: 0,
    });
    expect(calls).toEqual({ BatchGetItem: 1 });
  });

  it('refuses an email that someone else claimed, whatever its case, and writes nothing', async () => {
    const token = await t.token('bob');
    const data = expectData(
      await t.gql<ProfileResult>(
        CREATE_PROFILE,
        { input: { name: 'Bob', email: 'aLiCe@example.com' } },
        { token },
      ),
    );
    expect(data.createProfile).toEqual({
      __typename: 'EmailTakenError',
      email: 'aLiCe@example.com',
      message: 'The email aLiCe@example.com is already in use',
    });
    expect(await getItem(customerKey('bob'))).toBeUndefined();
    expect((await getItem(emailClaimKey('alice@example.com')))?.customerId).toBe('alice');
  });

  it('refuses a second profile with AlreadyExistsError, keeping the first and its email', async () => {
    const token = await t.token('alice');
    const data = expectData(
      await t.gql<ProfileResult>(
        CREATE_PROFILE,
        { input: { name: 'Other Alice', email: 'alice.other@example.com' } },
        { token },
      ),
    );
    expect(data.createProfile.__typename).toBe('AlreadyExistsError');
    expect(data.createProfile.message).toMatch(/Customer alice already exists/);
    expect((await getItem(customerKey('alice')))?.name).toBe('Alice Liddell');
    expect(await getItem(emailClaimKey('alice.other@example.com'))).toBeUndefined();
  });

  it('validates name and email, naming the field, with no DynamoDB call and nothing written', async () => {
    const token = await t.token('val-customer');
    const cases: Array<[{ name: string; email: string }, string]> = [
      [{ name: '   ', email: 'v@example.com' }, 'input.name'],
      [{ name: 'x'.repeat(101), email: 'v@example.com' }, 'input.name'],
      [{ name: 'Val', email: 'not-an-email' }, 'input.email'],
      [{ name: 'Val', email: 'two@@example.com' }, 'input.email'],
      [{ name: 'Val', email: 'v@localhost' }, 'input.email'],
      [{ name: 'Val', email: 'with space@example.com' }, 'input.email'],
      [{ name: 'Val', email: `${'a'.repeat(64)}@${'b'.repeat(186)}.com` }, 'input.email'],
    ];
    for (const [input, field] of cases) {
      const { result, total } = await t.wireCalls(() =>
        t.gql<ProfileResult>(CREATE_PROFILE, { input }, { token }),
      );
      const answer = expectData(result).createProfile;
      expect(answer.__typename, JSON.stringify(input)).toBe('ValidationError');
      expect(answer.field, JSON.stringify(input)).toBe(field);
      expect(total).toBe(0);
    }
    expect(await getItem(customerKey('val-customer'))).toBeUndefined();
    expect(await getItem(emailClaimKey('v@example.com'))).toBeUndefined();
  });

  it('accepts a name of exactly 100 characters and an email of exactly 254', async () => {
    const email = `${'a'.repeat(64)}@${'b'.repeat(185)}.com`;
    expect(email).toHaveLength(254);
    const data = expectData(
      await t.gql<ProfileResult>(
        CREATE_PROFILE,
        { input: { name: 'n'.repeat(100), email } },
        { token: await t.token('long-names') },
      ),
    );
    expect(data.createProfile.__typename).toBe('CreateProfileSuccess');
    expect(data.createProfile.customer?.name).toHaveLength(100);
  });

  it('anonymous: UNAUTHENTICATED, no DynamoDB call, nothing written', async () => {
    const { result, total } = await t.wireCalls(() =>
      t.gql(CREATE_PROFILE, { input: { name: 'Anon', email: 'anon@example.com' } }),
    );
    expect(codes(result)).toEqual(['UNAUTHENTICATED']);
    expect(result.data ?? null).toBeNull();
    expect(total).toBe(0);
    expect(await getItem(emailClaimKey('anon@example.com'))).toBeUndefined();
  });
});

describe('me and customer(id)', () => {
  it('me is null for a signed-in viewer without a profile', async () => {
    const data = expectData(
      await t.gql<{ me: null }>('{ me { id name } }', {}, { token: await t.token('no-profile') }),
    );
    expect(data.me).toBeNull();
  });

  it('anonymous me: UNAUTHENTICATED and no DynamoDB call', async () => {
    const { result, total } = await t.wireCalls(() => t.gql('{ me { id name email } }'));
    expect(codes(result)).toEqual(['UNAUTHENTICATED']);
    expect(result.data?.me ?? null).toBeNull();
    expect(total).toBe(0);
  });

  it('customer(id) answers admins (operation Customer)', async () => {
    const fixture = catalog.customers[0]!;
    const data = expectData(
      await t.gql<{ customer: { id: string; name: string; email: string } }>(
        operation('Customer'),
        { id: customerGid(fixture.id) },
        { token: await t.token('the-admin', true) },
      ),
    );
    expect(data.customer).toEqual({
      id: customerGid(fixture.id),
      name: fixture.name,
      email: fixture.email,
    });
    const missing = expectData(
      await t.gql<{ customer: null }>(
        operation('Customer'),
        { id: customerGid('nobody-at-all') },
        { token: await t.token('the-admin', true) },
      ),
    );
    expect(missing.customer).toBeNull();
  });

  it('customer(id) is FORBIDDEN to a customer, even for their own id, and costs no call', async () => {
    const token = await t.token('alice');
    for (const id of [catalog.customers[0]!.id, 'alice']) {
      const { result, total } = await t.wireCalls(() =>
        t.gql(operation('Customer'), { id: customerGid(id) }, { token }),
      );
      expect(codes(result)).toEqual(['FORBIDDEN']);
      expect(JSON.stringify(result)).not.toContain('@example.com');
      expect(total).toBe(0);
    }
  });
});

// ----------------------------------------------------------------------------------- cart

describe('cart (access pattern 7)', () => {
  it('addToCart adds a line that expires in 7 days (operation AddToCart)', async () => {
    const token = await withProfile('cart-1');
    const product = catalog.products[2]!;
    const { result, calls } = await t.wireCalls(() =>
      t.gql<{ addToCart: CartResult }>(
        operation('AddToCart'),
        { productId: productGid(product.id), quantity: 2 },
        { token },
      ),
    );
    expect(expectData(result).addToCart).toEqual({
      __typename: 'AddToCartSuccess',
      cart: {
        totalCents: product.priceCents * 2,
        items: [{ quantity: 2, product: { id: productGid(product.id) } }],
      },
    });
    // Consistent product read, cart Query, PutItem; the product for the total was that read.
    expect(calls).toEqual({ BatchGetItem: 1, Query: 1, PutItem: 1 });

    const stored = await getItem(cartLineKey('cart-1', product.id));
    expect(stored).toMatchObject({
      entity: 'CartLine',
      customerId: 'cart-1',
      productId: product.id,
      quantity: 2,
    });
    expect(typeof stored?.expiresAt).toBe('number');
    expect(Math.abs((stored?.expiresAt as number) - (nowSeconds() + 7 * DAY))).toBeLessThan(60);
  });

  it('adding a product already in the cart adds to its quantity and refreshes its expiry', async () => {
    const token = await withProfile('cart-2');
    const product = catalog.products[3]!;
    const soon = nowSeconds() + DAY;
    await putItems(table, [line('cart-2', product.id, 3, soon)]);
    const before = await getItem(cartLineKey('cart-2', product.id));

    const { result, calls } = await t.wireCalls(() =>
      t.gql<{ addToCart: CartResult }>(
        ADD_TO_CART,
        { productId: productGid(product.id), quantity: 4 },
        { token },
      ),
    );
    const answer = expectData(result).addToCart;
    expect(answer.__typename).toBe('AddToCartSuccess');
    // An atomic `quantity + :q` on the live line, not a rewrite of it.
    expect(calls).toEqual({ BatchGetItem: 1, Query: 1, UpdateItem: 1 });
    expect(answer.cart!.items.map((i) => i.quantity)).toEqual([4 + 3]);
    expect(answer.cart!.totalCents).toBe(product.priceCents * 7);
    const expiresAt = Date.parse(answer.cart!.items[0]!.expiresAt) / 1000;
    expect(Math.abs(expiresAt - (nowSeconds() + 7 * DAY))).toBeLessThan(60);
    expect(Date.parse(answer.cart!.expiresAt!)).toBe(expiresAt * 1000);

    const after = await getItem(cartLineKey('cart-2', product.id));
    expect(after?.quantity).toBe(7);
    expect(after?.addedAt).toBe(before?.addedAt);
    expect(after?.updatedAt).not.toBe(before?.updatedAt);
  });

  it('refuses quantities outside 1..99, and a line total above 99, changing nothing', async () => {
    const token = await withProfile('cart-3');
    const product = catalog.products[4]!;
    expect((await addToCart(token, product.id, 5)).__typename).toBe('AddToCartSuccess');
    for (const quantity of [0, -1, 100]) {
      const { result, total } = await t.wireCalls(() =>
        t.gql<{ addToCart: CartResult }>(
          ADD_TO_CART,
          { productId: productGid(product.id), quantity },
          { token },
        ),
      );
      expect(expectData(result).addToCart).toMatchObject({
        __typename: 'ValidationError',
        field: 'quantity',
      });
      expect(total).toBe(0);
    }
    const tooMany = await addToCart(token, product.id, 95);
    expect(tooMany).toMatchObject({ __typename: 'ValidationError', field: 'quantity' });
    expect(tooMany.message).toMatch(/at most 99.*has 5/);
    expect((await getItem(cartLineKey('cart-3', product.id)))?.quantity).toBe(5);

    const full = await addToCart(token, product.id, 94);
    expect(full.cart!.items[0]!.quantity).toBe(99);
  });

  it('concurrent adds of the same product all count, and never take a line past 99', async () => {
    const token = await withProfile('cart-11');
    const product = catalog.products[14]!;
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => addToCart(token, product.id, 1)),
    );
    expect(answers.map((a) => a.__typename)).toEqual(Array(6).fill('AddToCartSuccess'));
    expect((await getItem(cartLineKey('cart-11', product.id)))?.quantity).toBe(6);

    await addToCart(token, product.id, 91);
    const racing = await Promise.all([
      addToCart(token, product.id, 2),
      addToCart(token, product.id, 2),
    ]);
    expect(racing.map((a) => a.__typename).sort()).toEqual(['AddToCartSuccess', 'ValidationError']);
    expect((await getItem(cartLineKey('cart-11', product.id)))?.quantity).toBe(99);
  });

  it('an unknown product is NotFoundError and another kind of id a ValidationError; nothing is written', async () => {
    const token = await withProfile('cart-4');
    const unknown = await addToCart(token, '01UNKNOWNPRODUCT0000000000', 1);
    expect(unknown).toMatchObject({ __typename: 'NotFoundError', entity: 'Product' });
    for (const productId of [encodeGlobalID('Category', 'tools'), 'garbage']) {
      const data = expectData(
        await t.gql<{ addToCart: CartResult }>(ADD_TO_CART, { productId, quantity: 1 }, { token }),
      );
      expect(data.addToCart).toMatchObject({ __typename: 'ValidationError', field: 'productId' });
    }
    expect(await partition(cartLinesQuery('cart-4'))).toEqual([]);
  });

  it('holds at most 25 products; an expired line does not count; more of a product already there is fine', async () => {
    const token = await withProfile('cart-5');
    const live = nowSeconds() + DAY;
    const tools = catalog.products.slice(0, 27);
    // 24 live lines and one expired line: 24 products count.
    await putItems(table, [
      ...tools.slice(0, 24).map((p) => line('cart-5', p.id, 1, live)),
      line('cart-5', tools[24]!.id, 1, nowSeconds() - 60),
    ]);
    const twentyFifth = await addToCart(token, tools[25]!.id, 1);
    expect(twentyFifth.__typename).toBe('AddToCartSuccess');
    expect(twentyFifth.cart!.items).toHaveLength(25);

    const { result, calls } = await t.wireCalls(() =>
      t.gql<{ addToCart: CartResult }>(
        ADD_TO_CART,
        { productId: productGid(tools[26]!.id), quantity: 1 },
        { token },
      ),
    );
    expect(expectData(result).addToCart).toMatchObject({
      __typename: 'ValidationError',
      field: 'productId',
    });
    expect(calls.PutItem).toBeUndefined();
    expect(await getItem(cartLineKey('cart-5', tools[26]!.id))).toBeUndefined();

    const more = await addToCart(token, tools[0]!.id, 2);
    expect(more.__typename).toBe('AddToCartSuccess');
    expect(more.cart!.items).toHaveLength(25);
  });

  it('drops expired lines on read; re-adding an expired product starts from the new quantity', async () => {
    const token = await withProfile('cart-6');
    const [kept, expired] = [catalog.products[10]!, catalog.products[11]!];
    await putItems(table, [
      line('cart-6', kept.id, 1, nowSeconds() + DAY),
      line('cart-6', expired.id, 7, nowSeconds() - 1),
    ]);
    const cart = await myCart(token);
    expect(cart.items.map((i) => i.product?.id)).toEqual([productGid(kept.id)]);
    expect(cart.totalCents).toBe(kept.priceCents);
    // DynamoDB Local never deletes it: the line is still in the table, and still ignored.
    expect(await getItem(cartLineKey('cart-6', expired.id))).toBeDefined();

    const readded = await addToCart(token, expired.id, 2);
    const item = readded.cart!.items.find((i) => i.product?.id === productGid(expired.id));
    expect(item?.quantity).toBe(2);
    expect(readded.cart!.totalCents).toBe(kept.priceCents + 2 * expired.priceCents);
  });

  it('totalCents uses the current prices, and a deleted product counts for nothing', async () => {
    const token = await withProfile('cart-7');
    const a = aProduct({ categorySlug: 'pricing', priceCents: 1_000 });
    const b = aProduct({ categorySlug: 'pricing', priceCents: 250 });
    await putItems(table, [productItem(a), productItem(b)]);
    await addToCart(token, a.id, 2);
    const both = await addToCart(token, b.id, 3);
    expect(both.cart!.totalCents).toBe(2 * 1_000 + 3 * 250);

    await putItems(table, [productItem({ ...a, priceCents: 1_500, version: a.version + 1 })]);
    expect((await myCart(token)).totalCents).toBe(2 * 1_500 + 3 * 250);

    await putItems(table, [line('cart-7', '01DELETEDPRODUCT0000000000', 4, nowSeconds() + DAY)]);
    const cart = await myCart(token);
    expect(cart.totalCents).toBe(2 * 1_500 + 3 * 250);
    expect(cart.items.map((i) => i.product?.id ?? null)).toContain(null);
  });

  it("Cart.expiresAt is the soonest line's expiry, and null for an empty cart", async () => {
    const token = await withProfile('cart-8');
    const empty = await myCart(token);
    expect(empty).toEqual({ totalCents: 0, expiresAt: null, items: [] });
    const [first, second] = [nowSeconds() + 3 * DAY, nowSeconds() + 2 * DAY];
    await putItems(table, [
      line('cart-8', catalog.products[12]!.id, 1, first),
      line('cart-8', catalog.products[13]!.id, 1, second),
    ]);
    const cart = await myCart(token);
    expect(cart.expiresAt).toBe(new Date(second * 1000).toISOString());
    expect(cart.items.map((i) => i.expiresAt).sort()).toEqual(
      [first, second].map((s) => new Date(s * 1000).toISOString()).sort(),
    );
  });

  it('removeFromCart removes the line; removing what is not there succeeds (operation RemoveFromCart)', async () => {
    const token = await withProfile('cart-9');
    const [a, b] = [catalog.products[20]!, catalog.products[21]!];
    await addToCart(token, a.id, 1);
    await addToCart(token, b.id, 2);
    const { result, calls } = await t.wireCalls(() =>
      t.gql<{ removeFromCart: CartResult }>(
        operation('RemoveFromCart'),
        { productId: productGid(a.id) },
        { token },
      ),
    );
    expect(expectData(result).removeFromCart).toEqual({
      __typename: 'RemoveFromCartSuccess',
      cart: {
        totalCents: 2 * b.priceCents,
        items: [{ quantity: 2, product: { id: productGid(b.id) } }],
      },
    });
    expect(calls).toEqual({ DeleteItem: 1, Query: 1, BatchGetItem: 1 });
    expect(await getItem(cartLineKey('cart-9', a.id))).toBeUndefined();

    for (const id of [a.id, '01NEVERINTHECART0000000000']) {
      const again = expectData(
        await t.gql<{ removeFromCart: CartResult }>(
          REMOVE_FROM_CART,
          { productId: productGid(id) },
          { token },
        ),
      ).removeFromCart;
      expect(again.__typename).toBe('RemoveFromCartSuccess');
      expect(again.cart!.items).toHaveLength(1);
    }
    const wrong = expectData(
      await t.gql<{ removeFromCart: CartResult }>(
        REMOVE_FROM_CART,
        { productId: customerGid('cart-9') },
        { token },
      ),
    ).removeFromCart;
    expect(wrong).toMatchObject({ __typename: 'ValidationError', field: 'productId' });
  });

  it('anonymous addToCart and removeFromCart: UNAUTHENTICATED, no DynamoDB call', async () => {
    const productId = productGid(catalog.products[0]!.id);
    for (const [query, variables] of [
      [ADD_TO_CART, { productId, quantity: 1 }],
      [REMOVE_FROM_CART, { productId }],
    ] as const) {
      const { result, total } = await t.wireCalls(() => t.gql(query, variables));
      expect(codes(result)).toEqual(['UNAUTHENTICATED']);
      expect(result.data ?? null).toBeNull();
      expect(total).toBe(0);
    }
  });

  it('Me: profile, cart and its products in three calls, the products in one BatchGetItem (operation Me)', async () => {
    const token = await withProfile('cart-10');
    const products = catalog.products.slice(30, 35);
    await putItems(
      table,
      products.map((p, i) => line('cart-10', p.id, i + 1, nowSeconds() + DAY + i)),
    );
    const withoutStock = await t.wireCalls(() =>
      t.gql<{ me: { cart: CartData } }>(
        `{ me { id name email orderCount cart { items { quantity product { id name priceCents } } totalCents expiresAt } } }`,
        {},
        { token },
      ),
    );
    const cart = expectData(withoutStock.result).me.cart;
    expect(cart.items).toHaveLength(5);
    expect(cart.totalCents).toBe(products.reduce((sum, p, i) => sum + p.priceCents * (i + 1), 0));
    // Profile (BatchGetItem) -> cart Query -> one BatchGetItem for the five products.
    expect(withoutStock.calls).toEqual({ BatchGetItem: 2, Query: 1 });

    type Me = {
      me: {
        name: string;
        orderCount: number;
        cart: { items: Array<{ quantity: number; product: { stock: number } }> };
        orders: { edges: unknown[] };
      };
    };
    const full = await t.wireCalls(() => t.gql<Me>(operation('Me'), {}, { token }));
    const me = expectData(full.result).me;
    expect(me.name).toBe('Customer cart-10');
    expect(me.cart.items.map((i) => i.product.stock)).toEqual(
      products.map((p) => catalog.stock.get(p.id)),
    );
    expect(me.orders.edges).toEqual([]);
    // Stock is a second key per product (INVENTORY): queued with the products (look-ahead), so
    // profile -> cart and orders Queries -> one BatchGetItem for products and their stock.
    expect(full.calls).toEqual({ BatchGetItem: 2, Query: 2 });
  });
});

// ---------------------------------------------------------------------- authorization

describe('another customer', () => {
  let victimId: string;
  let intruder: string;
  beforeAll(async () => {
    victimId = 'victim';
    const victim = await withProfile(victimId);
    await addToCart(victim, catalog.products[40]!.id, 3);
    intruder = await withProfile('intruder');
  });
  const NODE_CUSTOMER = (fields: string) =>
    `query($id: ID!) { node(id: $id) { id ... on Customer { ${fields} } } }`;

  it('node(id) shows the name (operation NodeLookup)', async () => {
    const data = expectData(
      await t.gql<{ node: { id: string; name: string } }>(
        operation('NodeLookup'),
        { id: customerGid(victimId) },
        { token: intruder },
      ),
    );
    expect(data.node).toEqual({ id: customerGid(victimId), name: `Customer ${victimId}` });
  });

  it('node(id) refuses email, orderCount, createdAt and cart, leaking none of them', async () => {
    for (const field of ['email', 'orderCount', 'createdAt', `cart { ${CART_FIELDS} }`]) {
      const response = await t.gql(
        NODE_CUSTOMER(`name ${field}`),
        { id: customerGid(victimId) },
        { token: intruder },
      );
      expect(codes(response), field).toEqual(['FORBIDDEN']);
      const text = JSON.stringify(response);
      expect(text).not.toContain('victim@example.com');
      expect(text).not.toContain(productGid(catalog.products[40]!.id));
    }
  });

  it("an admin may read a customer's cart", async () => {
    const data = expectData(
      await t.gql<{ customer: { cart: CartData } }>(
        `query($id: ID!) { customer(id: $id) { cart { ${CART_FIELDS} } } }`,
        { id: customerGid(victimId) },
        { token: await t.token('the-admin', true) },
      ),
    );
    expect(data.customer.cart.items.map((i) => i.quantity)).toEqual([3]);
  });

  it("the intruder's cart mutations touch only the intruder's own partition", async () => {
    await addToCart(intruder, catalog.products[40]!.id, 1);
    await t.gql(
      REMOVE_FROM_CART,
      { productId: productGid(catalog.products[40]!.id) },
      { token: intruder },
    );
    expect((await getItem(cartLineKey(victimId, catalog.products[40]!.id)))?.quantity).toBe(3);
  });
});

// ---------------------------------------------------------------------------- reviews

type ReviewResult = {
  addReview: {
    __typename: string;
    message?: string;
    field?: string;
    entity?: string;
    review?: { id: string; rating: number; body: string };
    product?: { id: string; rating: { average: number | null; count: number } };
  };
};
const ADD_REVIEW = /* GraphQL */ `
  mutation($input: AddReviewInput!) {
    addReview(input: $input) {
      __typename
      ... on AddReviewSuccess { review { id rating body } product { id rating { average count } } }
      ... on ValidationError { message field }
      ... on NotFoundError { message entity }
      ... on AlreadyReviewedError { message }
    }
  }`;

describe('addReview (access pattern 15)', () => {
  const product = () => catalog.products[6]!;
  async function reviewsOf(productId: string) {
    return partition(productReviewsQuery(productId));
  }

  it('writes the review and its claim and shows the new rating (operation AddReview)', async () => {
    const token = await withProfile('critic-1');
    const { result, calls } = await t.wireCalls(() =>
      t.gql<ReviewResult>(
        operation('AddReview'),
        {
          input: { productId: productGid(product().id), rating: 4, body: '  Sturdy and sharp.  ' },
        },
        { token },
      ),
    );
    const added = expectData(result).addReview;
    expect(added.__typename).toBe('AddReviewSuccess');
    expect(added.review).toMatchObject({ rating: 4, body: 'Sturdy and sharp.' });
    expect(added.product).toEqual({
      id: productGid(product().id),
      rating: { average: 4, count: 1 },
    });
    // The transaction, then one consistent read of the product.
    expect(calls).toEqual({ TransactWriteItems: 1, BatchGetItem: 1 });

    const claim = await getItem(reviewerClaimKey(product().id, 'critic-1'));
    expect(claim).toMatchObject({ entity: 'ReviewerClaim', customerId: 'critic-1' });
    const stored = await reviewsOf(product().id);
    expect(stored.map((r) => r.SK)).toEqual([reviewKey(product().id, String(claim?.reviewId)).SK]);
    expect(await getItem(productKey(product().id))).toMatchObject({
      ratingSum: 4,
      ratingCount: 1,
    });
  });

  it('a second reviewer moves the aggregate; the product page shows the review with its author', async () => {
    const token = await withProfile('critic-2');
    const data = expectData(
      await t.gql<ReviewResult>(
        ADD_REVIEW,
        { input: { productId: productGid(product().id), rating: 1, body: 'Broke at once.' } },
        { token },
      ),
    );
    expect(data.addReview.product?.rating).toEqual({ average: 2.5, count: 2 });
    const page = expectData(
      await t.gql<{
        product: {
          reviews: { edges: Array<{ node: { body: string; author: { name: string } } }> };
        };
      }>(
        'query($id: ID!) { product(id: $id) { reviews(first: 5) { edges { node { body author { name } } } } } }',
        { id: productGid(product().id) },
      ),
    );
    expect(page.product.reviews.edges.map((e) => [e.node.body, e.node.author.name])).toEqual([
      ['Broke at once.', 'Customer critic-2'],
      ['Sturdy and sharp.', 'Customer critic-1'],
    ]);
  });

  it('shows the new rating even when the same request read the product before the review', async () => {
    const token = await withProfile('critic-5');
    const target = catalog.products[9]!;
    const data = expectData(
      await t.gql<{
        addToCart: { cart: { items: Array<{ product: { rating: { count: number } } }> } };
        addReview: { product: { rating: { average: number; count: number } } };
      }>(
        `mutation($productId: ID!, $input: AddReviewInput!) {
          addToCart(productId: $productId, quantity: 1) {
            ... on AddToCartSuccess { cart { items { product { rating { count } } } } }
          }
          addReview(input: $input) {
            ... on AddReviewSuccess { product { rating { average count } } }
          }
        }`,
        {
          productId: productGid(target.id),
          input: { productId: productGid(target.id), rating: 5, body: 'Bought it, love it' },
        },
        { token },
      ),
    );
    expect(data.addToCart.cart.items[0]!.product.rating.count).toBe(0);
    expect(data.addReview.product.rating).toEqual({ average: 5, count: 1 });
  });

  it('a second review by the same customer is AlreadyReviewedError and changes nothing', async () => {
    const token = await t.token('critic-1');
    const data = expectData(
      await t.gql<ReviewResult>(
        ADD_REVIEW,
        { input: { productId: productGid(product().id), rating: 5, body: 'Changed my mind' } },
        { token },
      ),
    );
    expect(data.addReview.__typename).toBe('AlreadyReviewedError');
    expect(data.addReview.message).toBe('You have already reviewed this product');
    expect(await reviewsOf(product().id)).toHaveLength(2);
    expect(await getItem(productKey(product().id))).toMatchObject({
      ratingSum: 5,
      ratingCount: 2,
    });
  });

  it('an unknown product is NotFoundError, with no claim left behind', async () => {
    const token = await withProfile('critic-3');
    const data = expectData(
      await t.gql<ReviewResult>(
        ADD_REVIEW,
        { input: { productId: productGid('01NOSUCHPRODUCT00000000000'), rating: 3, body: 'Hmm' } },
        { token },
      ),
    );
    expect(data.addReview).toMatchObject({ __typename: 'NotFoundError', entity: 'Product' });
    expect(
      await getItem(reviewerClaimKey('01NOSUCHPRODUCT00000000000', 'critic-3')),
    ).toBeUndefined();
    expect(await getItem(productKey('01NOSUCHPRODUCT00000000000'))).toBeUndefined();
  });

  it('needs a profile: NotFoundError saying so, and nothing written', async () => {
    const token = await t.token('ghost-reviewer');
    const target = catalog.products[7]!;
    const data = expectData(
      await t.gql<ReviewResult>(
        ADD_REVIEW,
        { input: { productId: productGid(target.id), rating: 5, body: 'Anonymous praise' } },
        { token },
      ),
    );
    expect(data.addReview).toMatchObject({ __typename: 'NotFoundError', entity: 'Customer' });
    expect(data.addReview.message).toMatch(/profile/);
    expect(await reviewsOf(target.id)).toEqual([]);
    expect(await getItem(reviewerClaimKey(target.id, 'ghost-reviewer'))).toBeUndefined();
    expect(await getItem(productKey(target.id))).toMatchObject({ ratingCount: 0, ratingSum: 0 });
  });

  it('validates rating, body and product id, naming the field, with no DynamoDB call', async () => {
    const token = await withProfile('critic-4');
    const productId = productGid(catalog.products[8]!.id);
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ productId, rating: 0, body: 'ok' }, 'input.rating'],
      [{ productId, rating: 6, body: 'ok' }, 'input.rating'],
      [{ productId, rating: 3, body: '   ' }, 'input.body'],
      [{ productId, rating: 3, body: 'x'.repeat(2_001) }, 'input.body'],
      [
        { productId: encodeGlobalID('Category', 'tools'), rating: 3, body: 'ok' },
        'input.productId',
      ],
    ];
    for (const [input, field] of cases) {
      const { result, total } = await t.wireCalls(() =>
        t.gql<ReviewResult>(ADD_REVIEW, { input }, { token }),
      );
      expect(expectData(result).addReview).toMatchObject({ __typename: 'ValidationError', field });
      expect(total).toBe(0);
    }
    expect(await reviewsOf(catalog.products[8]!.id)).toEqual([]);
    const longest = expectData(
      await t.gql<ReviewResult>(
        ADD_REVIEW,
        { input: { productId, rating: 5, body: 'y'.repeat(2_000) } },
        { token },
      ),
    );
    expect(longest.addReview.__typename).toBe('AddReviewSuccess');
  });

  it('anonymous: UNAUTHENTICATED, no DynamoDB call', async () => {
    const { result, total } = await t.wireCalls(() =>
      t.gql(ADD_REVIEW, {
        input: { productId: productGid(product().id), rating: 5, body: 'x' },
      }),
    );
    expect(codes(result)).toEqual(['UNAUTHENTICATED']);
    expect(total).toBe(0);
  });
});

describe('operation CreateProfile', () => {
  it('runs without errors', async () => {
    const data = expectData(
      await t.gql<{ createProfile: { __typename: string; customer: { email: string } } }>(
        operation('CreateProfile'),
        { input: { name: 'Contract Carol', email: 'carol@example.com' } },
        { token: await t.token('carol') },
      ),
    );
    expect(data.createProfile.__typename).toBe('CreateProfileSuccess');
    expect(data.createProfile.customer.email).toBe('carol@example.com');
    const taken = expectData(
      await t.gql<{ createProfile: { __typename: string; email: string } }>(
        operation('CreateProfile'),
        { input: { name: 'Dave', email: 'CAROL@example.com' } },
        { token: await t.token('dave') },
      ),
    );
    expect(taken.createProfile).toMatchObject({
      __typename: 'EmailTakenError',
      email: 'CAROL@example.com',
    });
  });
});
