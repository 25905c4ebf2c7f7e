import { type Cache, createInMemoryCache } from '@graphql-yoga/plugin-response-cache';

/**
 * This process's response cache, which the fleet can empty and bypass: while the bus is down
 * nothing tells it about other replicas' writes, so it serves nothing from memory, and what it
 * held before is dropped when the bus is back (invalidations sent meanwhile are lost).
 */
export class FleetCache implements Cache {
  readonly #max: number;
  #inner: Cache;
  #bypassed = false;

  constructor(max = 10_000) {
    this.#max = max;
    this.#inner = createInMemoryCache({ max });
  }

  get(id: string) {
    return this.#bypassed ? undefined : this.#inner.get(id);
  }

  set(...args: Parameters<Cache['set']>) {
    if (!this.#bypassed) return this.#inner.set(...args);
  }

  invalidate(entities: Parameters<Cache['invalidate']>[0]) {
    return this.#inner.invalidate(entities);
  }

  /** Drops every cached response. */
  flush(): void {
    this.#inner = createInMemoryCache({ max: this.#max });
  }

  /** Bypassed: nothing is served from memory or stored; either way what it held is dropped. */
  bypass(on: boolean): void {
    if (on === this.#bypassed) return;
    this.#bypassed = on;
    this.flush();
  }

  get bypassed(): boolean {
    return this.#bypassed;
  }
}
