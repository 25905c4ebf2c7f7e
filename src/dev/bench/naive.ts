import {
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLAbstractType,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
  getNamedType,
  isAbstractType,
  isInterfaceType,
  isObjectType,
  Kind,
  type OperationDefinitionNode,
  parse,
  type SelectionSetNode,
} from 'graphql';

/**
 * What a naive resolver tree (no DataLoader, no priming, one read per object) would send to
 * DynamoDB for a given response. The rules, applied while walking the response JSON with the
 * operation's selections and the schema's types:
 *
 * - every object of an entity type stored as its own item (Product, Category, Customer, Order,
 *   Review) costs one GetItem, wherever it appears (a list resolver returns keys, the type's
 *   resolver reads the item);
 * - a `stock` field on a Product costs one more GetItem (the INVENTORY item is its own item);
 * - every list that is a Query in the access patterns costs one Query: each Relay connection
 *   object, each Cart object (the cart lines), and `Query.categories`; `ordersByStatus` costs one
 *   Query per write shard, as it must whatever the resolvers do;
 * - embedded values (order lines, ratings, edges, page info, result unions) cost nothing.
 */
export const ENTITY_TYPES = new Set(['Product', 'Category', 'Customer', 'Order', 'Review']);

export interface NaiveCount {
  getItem: number;
  query: number;
}

export function naiveReads(
  schema: GraphQLSchema,
  operationText: string,
  data: Record<string, unknown>,
  options: { orderStatusShards: number },
): NaiveCount {
  const document: DocumentNode = parse(operationText);
  const operation = document.definitions.find(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  );
  if (!operation) throw new Error('no operation');
  const fragments = new Map(
    document.definitions
      .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
      .map((d) => [d.name.value, d]),
  );
  const root =
    operation.operation === 'mutation' ? schema.getMutationType() : schema.getQueryType();
  if (!root) throw new Error(`no ${operation.operation} type`);
  const count: NaiveCount = { getItem: 0, query: 0 };

  const applies = (typeCondition: string | undefined, type: GraphQLObjectType): boolean => {
    if (!typeCondition || typeCondition === type.name) return true;
    const condition = schema.getType(typeCondition);
    return !!condition && isAbstractType(condition) && schema.isSubType(condition, type);
  };

  /** The fields selected on an object of `type`, fragments flattened. */
  const fieldsOf = (type: GraphQLObjectType, selectionSet: SelectionSetNode): FieldNode[] => {
    const fields: FieldNode[] = [];
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) fields.push(selection);
      else if (selection.kind === Kind.INLINE_FRAGMENT) {
        if (applies(selection.typeCondition?.name.value, type)) {
          fields.push(...fieldsOf(type, selection.selectionSet));
        }
      } else {
        const fragment = fragments.get(selection.name.value);
        if (fragment && applies(fragment.typeCondition.name.value, type)) {
          fields.push(...fieldsOf(type, fragment.selectionSet));
        }
      }
    }
    return fields;
  };

  /**
   * The concrete type of an object under an abstract type: its `__typename` when selected,
   * otherwise the possible type whose type-specific selections are all present (most first).
   */
  const runtimeType = (
    abstract: GraphQLAbstractType,
    selectionSet: SelectionSetNode,
    value: Record<string, unknown>,
  ): GraphQLObjectType => {
    const named = value.__typename;
    if (typeof named === 'string') {
      const type = schema.getType(named);
      if (type && isObjectType(type)) return type;
    }
    const common = new Set(
      selectionSet.selections
        .filter((s): s is FieldNode => s.kind === Kind.FIELD)
        .map((s) => s.alias?.value ?? s.name.value),
    );
    let best: { type: GraphQLObjectType; score: number } | undefined;
    for (const type of schema.getPossibleTypes(abstract)) {
      const keys = fieldsOf(type, selectionSet)
        .map((f) => f.alias?.value ?? f.name.value)
        .filter((key) => !common.has(key));
      if (keys.length === 0 || !keys.every((key) => key in value)) continue;
      if (!best || keys.length > best.score) best = { type, score: keys.length };
    }
    if (!best) throw new Error(`cannot tell the type of ${JSON.stringify(value).slice(0, 200)}`);
    return best.type;
  };

  const visitObject = (
    type: GraphQLObjectType,
    selectionSet: SelectionSetNode,
    value: Record<string, unknown>,
    parentField: string,
  ) => {
    if (ENTITY_TYPES.has(type.name)) count.getItem++;
    if (type.name.endsWith('Connection')) {
      count.query += parentField === 'Query.ordersByStatus' ? options.orderStatusShards : 1;
    }
    if (type.name === 'Cart') count.query++;
    for (const field of fieldsOf(type, selectionSet)) {
      const name = field.name.value;
      if (name.startsWith('__')) continue;
      const definition = type.getFields()[name];
      if (!definition) throw new Error(`no field ${type.name}.${name}`);
      const fieldValue = value[field.alias?.value ?? name];
      if (fieldValue == null) continue;
      if (type.name === 'Product' && name === 'stock') count.getItem++;
      if (type.name === 'Query' && name === 'categories') count.query++;
      const named: GraphQLNamedType = getNamedType(definition.type);
      if (!field.selectionSet) continue;
      for (const element of flatten(fieldValue)) {
        if (element == null || typeof element !== 'object') continue;
        const object = element as Record<string, unknown>;
        const concrete = isObjectType(named)
          ? named
          : isAbstractType(named) || isInterfaceType(named)
            ? runtimeType(named as GraphQLAbstractType, field.selectionSet, object)
            : undefined;
        if (concrete) visitObject(concrete, field.selectionSet, object, `${type.name}.${name}`);
      }
    }
  };

  visitObject(root, operation.selectionSet, data, '');
  return count;
}

function flatten(value: unknown): unknown[] {
  if (!Array.isArray(value)) return [value];
  return value.flatMap((v) => flatten(v));
}
