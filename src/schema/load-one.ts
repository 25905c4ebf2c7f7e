/**
 * One node by id, for a field whose parent already holds the id: read through the request's
 * batch loader (RequestDb, where every key the request is waiting for joins one BatchGetItem).
 * Returning the bare id instead would have Pothos' loadable ref load it through its own
 * DataLoader per type: a second batching layer over the first, which saves no call and cost
 * about 5 % of a ProductPage's CPU (its ten review authors; scripts/bench/NOTES.md).
 * For fields whose ids are distinct within a list (a product's reviewers: one review per
 * customer and product). Where ids repeat (a product's category, an order line's product), the
 * loadable ref's cache maps each item once, and measured faster.
 * An Error for the key is thrown, so it is that field's error, as through the loadable ref.
 */
export async function loadOne<T>(
  getMany: (ids: readonly string[]) => Promise<Array<T | null | Error>>,
  id: string,
): Promise<T | null> {
  const [value] = await getMany([id]);
  if (value instanceof Error) throw value;
  return value ?? null;
}
