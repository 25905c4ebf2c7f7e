import SchemaBuilder, {
  BasePlugin,
  type PothosOutputFieldConfig,
  type SchemaTypes,
} from '@pothos/core';
import { encodeGlobalID } from '@pothos/plugin-relay';
import type { GraphQLFieldResolver } from 'graphql';

/**
 * The `id` of a Relay node, answered synchronously.
 *
 * @pothos/plugin-relay builds every node's `id` field on `t.globalID`, whose resolver is an async
 * function: every id in an answer (22 on a ProductPage: the product, its category, ten reviews
 * and their ten authors) became a promise for the executor to wait on, although the node's own
 * `id.resolve` is synchronous here. This plugin, listed last so that it wraps the field's own
 * resolver and every other plugin still wraps it, answers such a field with the same value
 * (`encodeGlobalID(typename, String(id))`, what the relay plugin encodes when no custom
 * `encodeGlobalID` is configured) without the promise. Whenever that equivalence is not certain
 * (a custom encoder, an id that is a promise or null, a field that is not a node's `id`), the
 * relay plugin's resolver answers as before. `test/unit/sync-node-id.test.ts` keeps the two equal.
 */
export class SyncNodeIdPlugin<Types extends SchemaTypes> extends BasePlugin<Types> {
  override wrapResolve(
    resolver: GraphQLFieldResolver<unknown, Types['Context'], object>,
    fieldConfig: PothosOutputFieldConfig<Types>,
  ): GraphQLFieldResolver<unknown, Types['Context'], object> {
    const relayOptions = (this.builder.options as { relay?: { encodeGlobalID?: unknown } }).relay;
    if (
      fieldConfig.name !== 'id' ||
      fieldConfig.kind !== 'Object' ||
      fieldConfig.type.kind !== 'Scalar' ||
      relayOptions?.encodeGlobalID !== undefined
    ) {
      return resolver;
    }
    const typeConfig = this.buildCache.getTypeConfig(fieldConfig.parentType);
    const resolveId = (typeConfig.pothosOptions as { id?: { resolve?: unknown } }).id?.resolve;
    const isNode =
      typeConfig.kind === 'Object' &&
      (typeConfig.interfaces as unknown[]).includes(this.builder.nodeInterfaceRef());
    if (!isNode || typeof resolveId !== 'function') return resolver;
    const typename = typeConfig.name;
    const nodeId = resolveId as GraphQLFieldResolver<unknown, Types['Context'], object>;
    return (parent, args, context, info) => {
      const id: unknown = nodeId(parent, args, context, info);
      if (typeof id === 'string' || typeof id === 'number' || typeof id === 'bigint') {
        return encodeGlobalID(typename, String(id));
      }
      return resolver(parent, args, context, info);
    };
  }
}

declare global {
  export namespace PothosSchemaTypes {
    export interface Plugins<Types extends SchemaTypes> {
      syncNodeId: SyncNodeIdPlugin<Types>;
    }
  }
}

const pluginName = 'syncNodeId';
SchemaBuilder.registerPlugin(pluginName, SyncNodeIdPlugin);
export default pluginName;
