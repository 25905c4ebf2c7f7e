import SchemaBuilder from '@pothos/core';
import DataloaderPlugin from '@pothos/plugin-dataloader';
import RelayPlugin, { decodeGlobalID } from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import { execute, type GraphQLObjectType, type GraphQLSchema, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema as shopSchema } from '../../src/schema/index.js';
import SyncNodeIdPlugin from '../../src/schema/sync-node-id.js';

interface Thing {
  key: string;
  n: number;
}

/** One small schema, built with or without the plugin, and a custom encoder if asked. */
function buildSchema(options: {
  sync: boolean;
  encodeGlobalID?: (t: string, id: string | number | bigint) => string;
}) {
  const builder = new SchemaBuilder<{
    AuthScopes: { public: boolean };
    DefaultFieldNullability: false;
  }>({
    plugins: [
      ScopeAuthPlugin,
      DataloaderPlugin,
      RelayPlugin,
      ...(options.sync ? ([SyncNodeIdPlugin] as const) : []),
    ],
    scopeAuth: { authScopes: () => ({ public: true }) },
    relay: {
      clientMutationId: 'omit',
      cursorType: 'String',
      ...(options.encodeGlobalID ? { encodeGlobalID: options.encodeGlobalID } : {}),
    },
    defaultFieldNullability: false,
  });
  const things: Thing[] = [
    { key: 'a:1', n: 1 },
    { key: 'ü/2', n: 2 },
  ];
  const ThingNode = builder.loadableNodeRef<Thing, string, string, string, Thing>('Thing', {
    id: { resolve: (thing) => thing.key },
    load: (keys) =>
      Promise.resolve(keys.map((k) => things.find((t) => t.key === k) ?? new Error(k))),
  });
  ThingNode.implement({ fields: (t) => ({ n: t.exposeInt('n') }) });
  // A node whose id resolver is async: the plugin must leave it to the relay plugin.
  const LateNode = builder.loadableNodeRef<Thing, string, string, string, Thing>('Late', {
    id: { resolve: async (thing) => `late-${thing.n}` },
    load: (keys) => Promise.resolve(keys.map((k) => ({ key: k, n: Number(k) }))),
  });
  LateNode.implement({ fields: (t) => ({ n: t.exposeInt('n') }) });
  // Not a node: an `id` field of its own, untouched.
  const Plain = builder.objectRef<Thing>('Plain').implement({
    fields: (t) => ({ id: t.exposeString('key') }),
  });
  builder.queryType({
    fields: (t) => ({
      things: t.field({ type: [ThingNode], resolve: () => things }),
      late: t.field({ type: LateNode, resolve: () => ({ key: '7', n: 7 }) }),
      plain: t.field({ type: Plain, resolve: () => things[0]! }),
    }),
  });
  return builder.toSchema();
}

const QUERY = parse(`{
  things { id n }
  late { id n }
  plain { id }
  node(id: "${Buffer.from('Thing:a:1').toString('base64')}") { id ... on Thing { n } }
}`);

async function run(schema: GraphQLSchema) {
  return JSON.parse(JSON.stringify(await execute({ schema, document: QUERY, contextValue: {} })));
}

function idResolver(schema: GraphQLSchema, type: string) {
  const field = (schema.getType(type) as GraphQLObjectType).getFields().id!;
  return field.resolve!;
}

describe('SyncNodeIdPlugin', () => {
  it('answers every query exactly as the relay plugin alone does', async () => {
    const plain = await run(buildSchema({ sync: false }));
    const sync = await run(buildSchema({ sync: true }));
    expect(plain.errors).toBeUndefined();
    expect(sync).toEqual(plain);
    expect(decodeGlobalID(sync.data.things[1].id)).toEqual({ typename: 'Thing', id: 'ü/2' });
    expect(sync.data.node).toEqual({ id: sync.data.things[0].id, n: 1 });
  });

  it("a node's id is a value, not a promise; with the relay plugin alone it is a promise", () => {
    const thing = { key: 'a:1', n: 1 };
    const info = {} as never;
    const sync = idResolver(buildSchema({ sync: true }), 'Thing')(thing, {}, {}, info);
    const relay = idResolver(buildSchema({ sync: false }), 'Thing')(thing, {}, {}, info);
    expect(sync).toBe(Buffer.from('Thing:a:1').toString('base64'));
    expect(relay).toBeInstanceOf(Promise);
  });

  it('leaves to the relay plugin an async id, a custom encoder, and ids of non-nodes', async () => {
    const schema = buildSchema({ sync: true });
    expect(idResolver(schema, 'Late')({ key: '7', n: 7 }, {}, {}, {} as never)).toBeInstanceOf(
      Promise,
    );
    expect((await run(schema)).data.late.id).toBe(Buffer.from('Late:late-7').toString('base64'));
    expect(idResolver(schema, 'Plain')({ key: 'k', n: 0 }, {}, {}, {} as never)).toBe('k');

    const custom = buildSchema({ sync: true, encodeGlobalID: (t, id) => `${t}/${id}` });
    expect((await run(custom)).data.things[0].id).toBe('Thing/a:1');
    expect(idResolver(custom, 'Thing')({ key: 'a:1', n: 1 }, {}, {}, {} as never)).toBeInstanceOf(
      Promise,
    );
  });

  it("the shop's node types all answer their id synchronously", () => {
    const parents: Record<string, object> = {
      Product: { id: 'p-1' },
      Category: { slug: 'tea' },
      Review: { productId: 'p-1', id: 'r-1' },
      Customer: { id: 'c-1' },
      Order: { customerId: 'c-1', id: 'o-1' },
    };
    for (const [name, parent] of Object.entries(parents)) {
      const type = shopSchema.getType(name) as GraphQLObjectType;
      expect(type.getInterfaces().map((i) => i.name)).toContain('Node');
      const id = idResolver(shopSchema, name)(parent, {}, {}, {} as never);
      expect(typeof id, name).toBe('string');
      expect(decodeGlobalID(id as string).typename).toBe(name);
    }
    const product = idResolver(shopSchema, 'Product')({ id: 'p-1' }, {}, {}, {} as never);
    expect(product).toBe(Buffer.from('Product:p-1').toString('base64'));
  });
});
