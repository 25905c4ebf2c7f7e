import { type GraphQLResolveInfo, Kind, type SelectionSetNode } from 'graphql';
import type { Context } from '../app/context.js';

/** Whether the field being resolved selects `name` on its result (through fragments too). */
export function selectsField(info: GraphQLResolveInfo, name: string): boolean {
  const visit = (set: SelectionSetNode | undefined, depth: number): boolean => {
    if (!set || depth > 8) return false;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value === name) return true;
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        if (visit(selection.selectionSet, depth + 1)) return true;
      } else if (visit(info.fragments[selection.name.value]?.selectionSet, depth + 1)) {
        return true;
      }
    }
    return false;
  };
  return info.fieldNodes.some((node) => visit(node.selectionSet, 0));
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
