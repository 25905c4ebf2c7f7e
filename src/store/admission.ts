/**
 * Admission control in front of DynamoDB: at most `maxInFlight` calls of this process are on the
 * wire at once, the rest wait here, where waiting is cheap and can be given up, instead of in
 * the database, where an abandoned call still costs it work (and a timed-out one is re-sent).
 *
 * Two lanes: calls of requests that have already started their DynamoDB work go before the
 * first call of a new request, so that admitted work finishes (a placeOrder whose reads are done
 * gets to write) instead of every request advancing a little and all of them missing their
 * deadline. A call that cannot start before its request's deadline is shed with a ShedError,
 * before it is sent: at once when the queue is already longer than the deadline allows, or
 * when the deadline passes while it waits.
 */

import { ShedError } from '../errors/store.js';

export interface AdmissionOptions {
  /** DynamoDB calls of this process on the wire at once. */
  maxInFlight: number;
  /** Calls that may wait; past it a new request's call is shed at once. */
  maxQueue: number;
  /** Clock in milliseconds (tests step it). */
  now?: () => number;
}

/** Which queue a call waits in: `continuing` requests have made a call already. */
export type Lane = 'continuing' | 'new';

interface Waiter {
  deadline: number;
  resolve: () => void;
  reject: (error: unknown) => void;
  timer: ReturnType<typeof setTimeout> | undefined;
  done: boolean;
}

/** A FIFO without Array#shift's copying: the head moves, and the array is compacted now and then. */
class Fifo<T> {
  #items: T[] = [];
  #head = 0;
  get length(): number {
    return this.#items.length - this.#head;
  }
  push(item: T): void {
    this.#items.push(item);
  }
  shift(): T | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head] = undefined as T;
    this.#head++;
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }
}

/** The weight of the newest sample in the service-time average. */
const EWMA_WEIGHT = 0.05;
const MAX_RETRY_AFTER_SECONDS = 30;

export interface AdmissionStats {
  inFlight: number;
  queued: number;
  shed: number;
  /** Calls that waited for a slot and got one, and how long they waited in all (milliseconds). */
  waited: number;
  waitedMs: number;
}

export class Admission {
  readonly maxInFlight: number;
  readonly maxQueue: number;
  readonly #now: () => number;
  #inFlight = 0;
  #queued = 0;
  readonly #lanes = { continuing: new Fifo<Waiter>(), new: new Fifo<Waiter>() };
  /** Average time a call holds its slot, in milliseconds (0 until the first call ends). */
  #serviceMs = 0;
  #shed = 0;
  #waited = 0;
  #waitedMs = 0;

  constructor(options: AdmissionOptions) {
    if (!(options.maxInFlight >= 1)) throw new RangeError('maxInFlight must be at least 1');
    this.maxInFlight = options.maxInFlight;
    this.maxQueue = options.maxQueue;
    this.#now = options.now ?? (() => performance.now());
  }

  stats(): AdmissionStats {
    return {
      inFlight: this.#inFlight,
      queued: this.#queued,
      shed: this.#shed,
      waited: this.#waited,
      waitedMs: this.#waitedMs,
    };
  }

  /**
   * How long a call queued now would wait, from how long calls hold their slots: the calls
   * ahead of it leave `maxInFlight` at a time.
   */
  expectedWaitMs(): number {
    if (this.#queued === 0 && this.#inFlight < this.maxInFlight) return 0;
    return ((this.#queued + 1) * this.#serviceMs) / this.maxInFlight;
  }

  /** What a shed request is told: about when the queue ahead of it will have drained. */
  retryAfterSeconds(): number {
    const seconds = Math.ceil(this.expectedWaitMs() / 1_000);
    return Math.min(MAX_RETRY_AFTER_SECONDS, Math.max(1, seconds));
  }

  /**
   * Whether a new request, with `budgetMs` for its work, should be refused before it starts:
   * the queue is full, or the calls ahead of it would take longer than its whole budget.
   */
  wouldShed(budgetMs: number): boolean {
    return this.#queued >= this.maxQueue || this.expectedWaitMs() >= budgetMs;
  }

  /** Counts a request refused before it started (overloadPlugin); returns its Retry-After. */
  shedRequest(): number {
    this.#shed++;
    return this.retryAfterSeconds();
  }

  /**
   * A slot for one call, by `deadline` (on this admission's clock). Resolves when the call may
   * go; rejects with ShedError when it may not start in time. Every resolved acquire must be
   * followed by exactly one `release`, with the time the call held its slot.
   */
  acquire(deadline: number, lane: Lane): Promise<void> | undefined {
    if (this.#inFlight < this.maxInFlight && this.#queued === 0) {
      this.#inFlight++;
      return undefined;
    }
    const now = this.#now();
    if (lane === 'new') {
      if (this.#queued >= this.maxQueue) return this.#refuse('queue-full');
      if (now + this.expectedWaitMs() > deadline) return this.#refuse('expected-wait');
    }
    if (now >= deadline) return this.#refuse('deadline');
    this.#queued++;
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        deadline,
        resolve: () => {
          this.#waited++;
          this.#waitedMs += this.#now() - now;
          resolve();
        },
        reject,
        timer: undefined,
        done: false,
      };
      if (Number.isFinite(deadline)) {
        waiter.timer = setTimeout(() => this.#expire(waiter), Math.max(0, deadline - now));
      }
      this.#lanes[lane].push(waiter);
    });
  }

  /** Gives a slot back; the next waiter (continuing requests first) takes it. */
  release(heldMs: number): void {
    this.#serviceMs =
      this.#serviceMs === 0 ? heldMs : this.#serviceMs + EWMA_WEIGHT * (heldMs - this.#serviceMs);
    const next =
      this.#queued === 0
        ? undefined
        : (Admission.#take(this.#lanes.continuing) ?? Admission.#take(this.#lanes.new));
    if (!next) {
      this.#inFlight--;
      return;
    }
    this.#queued--;
    // The slot passes straight to the waiter: in flight stays the same.
    next.resolve();
  }

  /** The lane's first waiter still waiting (shed ones are skipped), taken off the queue. */
  static #take(lane: Fifo<Waiter>): Waiter | undefined {
    for (let waiter = lane.shift(); waiter; waiter = lane.shift()) {
      if (waiter.done) continue;
      waiter.done = true;
      if (waiter.timer) clearTimeout(waiter.timer);
      return waiter;
    }
    return undefined;
  }

  #expire(waiter: Waiter): void {
    if (waiter.done) return;
    waiter.done = true;
    this.#queued--;
    this.#shed++;
    waiter.reject(new ShedError(this.retryAfterSeconds(), 'deadline'));
  }

  #refuse(reason: ShedError['reason']): Promise<void> {
    this.#shed++;
    return Promise.reject(new ShedError(this.retryAfterSeconds(), reason));
  }
}
