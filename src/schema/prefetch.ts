import {
  type FieldNode,
  type GraphQLField,
  type GraphQLResolveInfo,
  getArgumentValues,
  getNamedType,
  isObjectType,
  Kind,
  type SelectionSetNode,
} from 'graphql';
import type { Context } from '../app/context.js';

type Fragments = GraphQLResolveInfo['fragments'];

/** The fields called `name` directly in `sets` (through inline fragments and spreads). */
function childFields(
  sets: ReadonlyArray<SelectionSetNode | undefined>,
  fragments: Fragments,
  name: string,
): FieldNode[] {
  const found: FieldNode[] = [];
  const visit = (set: SelectionSetNode | undefined, depth: number) => {
    if (!set || depth > 8) return;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value === name) found.push(selection);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        visit(selection.selectionSet, depth + 1);
      } else {
        visit(fragments[selection.name.value]?.selectionSet, depth + 1);
      }
    }
  };
  for (const set of sets) visit(set, 0);
  return found;
}

/** Whether the field being resolved selects `name` on its result (through fragments too). */
export function selectsField(info: GraphQLResolveInfo, name: string): boolean {
  return childFields(
    info.fieldNodes.map((node) => node.selectionSet),
    info.fragments,
    name,
  ).some(Boolean);
}

/** Whether `nodes` select the field at `path` below them (`['edges', 'node', 'stock']`). */
export function selectsPath(
  nodes: readonly FieldNode[],
  fragments: Fragments,
  path: readonly string[],
): boolean {
  let level: readonly FieldNode[] = nodes;
  for (const name of path) {
    level = childFields(
      level.map((node) => node.selectionSet),
      fragments,
      name,
    );
    if (level.length === 0) return false;
  }
  return true;
}

/**
 * The one `name` field the field being resolved selects, with its arguments coerced as the
 * executor will coerce them (variables, defaults); null when it is not selected, or selected
 * under aliases with different arguments (each then reads for itself).
 */
export function childFieldArguments(
  info: GraphQLResolveInfo,
  name: string,
): { nodes: FieldNode[]; args: Record<string, unknown> } | null {
  const parent = getNamedType(info.returnType);
  if (!isObjectType(parent)) return null;
  const field: GraphQLField<unknown, unknown> | undefined = parent.getFields()[name];
  if (!field) return null;
  const nodes = childFields(
    info.fieldNodes.map((node) => node.selectionSet),
    info.fragments,
    name,
  );
  const [first] = nodes;
  if (!first) return null;
  try {
    const args = getArgumentValues(field, first, info.variableValues);
    const same = JSON.stringify(args);
    for (const other of nodes.slice(1)) {
      if (JSON.stringify(getArgumentValues(field, other, info.variableValues)) !== same) {
        return null;
      }
    }
    return { nodes, args };
  } catch {
    return null; // arguments that do not coerce: the field itself reports them
  }
}

/**
 * Look-ahead for `Product.stock`. A product's stock is its own item (INVENTORY), which the
 * `stock` resolver can only ask for once the product item has loaded: one more round trip
 * wherever products are reached by id (a cart's lines, `product`, `products`). A field that
 * resolves to product ids and whose selection asks for `stock` queues the INVENTORY keys at
 * once, so they travel in the same BatchGetItem as the products; the `stock` resolver then
 * finds them in the request's item cache. Nothing is read that the query does not ask for.
 */
export function prefetchStock(
  context: Context,
  info: GraphQLResolveInfo,
  productIds: readonly string[],
): void {
  if (productIds.length === 0 || !selectsField(info, 'stock')) return;
  context.repos.inventory.prefetch(productIds);
}
