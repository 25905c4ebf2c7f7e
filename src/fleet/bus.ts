import type { ShopEvent } from '../events/events.js';

/** What a write makes stale in the response cache: a type, or one entity of it. */
export interface StaleEntity {
  typename: string;
  id?: string;
}

/** What travels between the processes of a fleet. */
export type BusMessage =
  | { kind: 'events'; events: ShopEvent[] }
  | { kind: 'stale'; entities: StaleEntity[] };

/** The events of one stream record, named by the record's eventID. */
export interface RecordEvents {
  eventId: string;
  events: ShopEvent[];
}

export interface BusStats {
  kind: 'local' | 'redis';
  /** Whether messages flow right now. */
  up: boolean;
  published: number;
  /** Records not published again because their eventID had been (a hand-over, a retry). */
  duplicatesDropped: number;
  delivered: number;
}

/**
 * How the stream's events and the writers' invalidations reach every process: in-process for
 * one server, Redis Streams for a fleet (src/fleet/redis-bus.ts).
 */
export interface EventBus {
  readonly kind: BusStats['kind'];
  /**
   * Publishes stream records' events, each record once however often it is published (a new
   * stream reader re-reads from its checkpoint; Lambda retries a batch). Rejects when the bus
   * cannot take them: the caller keeps them and tries again.
   */
  publishRecords(records: readonly RecordEvents[]): Promise<void>;
  /** A writer's invalidation for the other processes' caches (its own is done already). */
  publishStale(entities: readonly StaleEntity[]): Promise<void>;
  /** Starts handing this process every message published from now on, in order. */
  subscribe(deliver: (message: BusMessage) => void): Promise<void>;
  /**
   * Hands over what arrived since the last delivery, before it resolves. For a process that
   * cannot wait in the background (a Lambda, frozen between invocations).
   */
  catchUp(): Promise<void>;
  stats(): BusStats;
  stop(): Promise<void>;
}

/** One process: what is published is delivered at once, and nobody else needs invalidations. */
export class LocalBus implements EventBus {
  readonly kind = 'local' as const;
  #deliver: ((message: BusMessage) => void) | undefined;
  #published = 0;
  #delivered = 0;

  async publishRecords(records: readonly RecordEvents[]): Promise<void> {
    for (const record of records) {
      if (record.events.length === 0) continue;
      this.#published++;
      this.#hand({ kind: 'events', events: record.events });
    }
  }

  async publishStale(): Promise<void> {}

  async subscribe(deliver: (message: BusMessage) => void): Promise<void> {
    this.#deliver = deliver;
  }

  async catchUp(): Promise<void> {}

  stats(): BusStats {
    return {
      kind: this.kind,
      up: true,
      published: this.#published,
      duplicatesDropped: 0,
      delivered: this.#delivered,
    };
  }

  async stop(): Promise<void> {
    this.#deliver = undefined;
  }

  #hand(message: BusMessage): void {
    if (!this.#deliver) return;
    this.#delivered++;
    this.#deliver(message);
  }
}
