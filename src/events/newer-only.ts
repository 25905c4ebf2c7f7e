/**
 * The events of `source` that `isNewer` accepts, judged against the last one accepted (or
 * `since`, what the subscriber already knows). A plain iterator, not an async generator: the
 * subscription's return() must reach the source while a next() waits, or it would wait too.
 *
 * The source is started at once, so the events that arrive while the caller reads what it
 * knows (the order at subscribe time) are kept, not lost.
 */
export function newerOnly<T, M>(
  source: AsyncIterable<T>,
  markerOf: (event: T) => M,
  isNewer: (marker: M, than: M) => boolean,
): { since(marker: M | undefined): AsyncIterableIterator<T> } {
  const iterator = source[Symbol.asyncIterator]();
  // Yoga's pubsub listens once its repeater is first pulled: pull now, hand this result first.
  let first: Promise<IteratorResult<T>> | undefined = iterator.next();
  return {
    since(known) {
      let last = known;
      const result: AsyncIterableIterator<T> = {
        async next() {
          for (;;) {
            const pending = first ?? iterator.next();
            first = undefined;
            const next = await pending;
            if (next.done) return next;
            const marker = markerOf(next.value);
            if (last !== undefined && !isNewer(marker, last)) continue;
            last = marker;
            return next;
          }
        },
        async return(value?: unknown) {
          first = undefined;
          await iterator.return?.();
          return { done: true, value: value as T };
        },
        [Symbol.asyncIterator]() {
          return result;
        },
      };
      return result;
    },
  };
}
