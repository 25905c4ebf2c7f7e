/**
 * Reads started before the field that needs them resolves (a parent field that knows, from its
 * arguments and the selection, what a child will ask for), so they overlap the parent's own
 * read. Each is taken once, by the first ask with the same key, then forgotten: in a mutation's
 * request a later ask may follow a write and must read again.
 */
export class LookAhead<T> {
  readonly #started = new Map<string, Promise<T>>();

  start(key: string, read: () => Promise<T>): Promise<T> {
    const pending = read();
    pending.catch(() => undefined); // the field that takes it reports the error
    this.#started.set(key, pending);
    return pending;
  }

  /** The read started for `key`, or a new one. */
  take(key: string, read: () => Promise<T>): Promise<T> {
    const started = this.#started.get(key);
    if (!started) return read();
    this.#started.delete(key);
    return started;
  }
}

/** The key of a page: which list (the binding of its filters) and which page of it. */
export function pageKey(
  owner: string,
  binding: string,
  args: { first?: number | null; after?: string | null },
) {
  return JSON.stringify([owner, binding, args.first ?? null, args.after ?? null]);
}
