/**
 * Ends an async iterable when the signal aborts (graceful shutdown): the subscription completes
 * and its SSE response closes, instead of holding the server open.
 */
export function untilAborted<T>(
  source: AsyncIterable<T>,
  signal: AbortSignal = new AbortController().signal,
): AsyncIterableIterator<T> {
  const iterator = source[Symbol.asyncIterator]();
  let finish: () => void = () => {};
  const aborted = new Promise<IteratorResult<T>>((resolve) => {
    finish = () => resolve({ done: true, value: undefined });
    if (signal.aborted) finish();
    else signal.addEventListener('abort', finish, { once: true });
  });
  const close = async () => {
    signal.removeEventListener('abort', finish);
    await iterator.return?.();
  };
  const result: AsyncIterableIterator<T> = {
    async next() {
      const next = await Promise.race([iterator.next(), aborted]);
      if (next.done) await close();
      return next;
    },
    async return(value?: unknown) {
      await close();
      return { done: true, value: value as T };
    },
    [Symbol.asyncIterator]() {
      return result;
    },
  };
  return result;
}
