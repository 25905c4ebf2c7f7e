// Over 300 lines on purpose: the per-request DynamoDB handle is one piece of state (calls in
// flight, the deadline, the batch loaders, admission, settling unknown outcomes, accounting),
// and each of those reads the others; the reusable parts (batch-get, admission, outcome,
// transact) are modules of their own.
import type {
  BatchGetCommandOutput,
  DynamoDBDocumentClient,
  QueryCommandInput,
  QueryCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import DataLoader from 'dataloader';
import { WriteOutcomeUnknownError } from '../errors/store.js';
import { type KeyQuery, keyId, keyOf, type TableKey } from '../models/table-schema.js';
import type { Admission } from './admission.js';
import { batchGetItems, type Item } from './batch-get.js';
import { isIdempotentWrite, settlesOutcome } from './outcome.js';
import { queryItems } from './paginate.js';
import { isUnreachableError } from './unavailable.js';

/** Any lib-dynamodb command; the output type is given by the caller. */
type Command = { readonly input: object };

/** lib-dynamodb command names (`BatchGet`) as the DynamoDB operations they call (`BatchGetItem`). */
const OPERATIONS: Record<string, string> = {
  Get: 'GetItem',
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  BatchGet: 'BatchGetItem',
  BatchWrite: 'BatchWriteItem',
  TransactGet: 'TransactGetItems',
  TransactWrite: 'TransactWriteItems',
};
const WRITES = new Set([
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'BatchWriteItem',
  'TransactWriteItems',
]);

/** One ConsumedCapacity entry: a single object, or one per table for batches and transactions. */
interface Consumed {
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
}

export interface RequestDbOptions {
  doc: DynamoDBDocumentClient;
  tableName: string;
  batchBudgetMs?: number;
  /** The process's bound on calls in flight; none: every call goes out at once. */
  admission?: Admission | undefined;
  /**
   * How long the request may take to start its DynamoDB work (queueing counts), from
   * `startedAt` (performance.now()); also how long a write of unknown outcome is re-sent.
   */
  deadlineMs?: number;
  startedAt?: number;
}

export interface SendOptions {
  /**
   * A call that settles what an earlier one did (a read-back after a write of unknown
   * outcome): it goes even after the deadline or an unreachable database, ahead of new work.
   */
  settling?: boolean;
}

const DEFAULT_DEADLINE_MS = 10_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export type ItemLoader = DataLoader<TableKey, Item | null, string>;

/**
 * The DynamoDB access of one GraphQL request: every command goes through `send`, which counts
 * calls per DynamoDB operation, adds up the capacity units they consumed (the client asks every
 * command for ReturnConsumedCapacity TOTAL) and knows how many are in flight, and `items` batches
 * every GetItem-like read of the request, whatever its entity, into BatchGetItem.
 *
 * Scheduling: a batch is dispatched only when no other call of this request is in flight.
 * A resolver tree fans out (a product, its reviews Query, its stock, its category); waiting
 * for the Query lets the keys that its results ask for (the review authors) join the same
 * BatchGetItem, which turns N+1 trees into a few round trips without delaying the critical path
 * (the batch would otherwise wait for the slower call's dependants anyway).
 */
export class RequestDb {
  readonly tableName: string;
  readonly calls = new Map<string, number>();
  /** The keys this request wrote (after success): what its cached responses may no longer show. */
  readonly writes: TableKey[] = [];
  /** Capacity units consumed by the calls that succeeded (a failed write reports none). */
  readonly capacity = { read: 0, write: 0 };
  readonly items: ItemLoader;
  readonly #doc: DynamoDBDocumentClient;
  readonly #loader: (consistentRead: boolean) => ItemLoader;
  #consistentItems: ItemLoader | undefined;
  #inFlight = 0;
  readonly #admission: Admission | undefined;
  readonly #deadlineMs: number;
  /** performance.now() past which no new call of this answer starts. */
  #deadline: number;
  /** Whether a call of this request has been let through admission: later ones go first. */
  #admitted = false;
  /** The first error that said DynamoDB cannot be reached: the request's later calls fail with it. */
  #unreachable: unknown;
  /** Batches waiting for the request to be idle, and whether an idle check is scheduled. */
  #waiting: Array<() => void> = [];
  /** Reads to start together with the next batches (see alongsideNextBatch). */
  #companions: Array<() => void> = [];
  #checkScheduled = false;

  constructor(options: RequestDbOptions) {
    this.#doc = options.doc;
    this.tableName = options.tableName;
    this.#admission = options.admission;
    this.#deadlineMs = options.deadlineMs ?? DEFAULT_DEADLINE_MS;
    this.#deadline = (options.startedAt ?? performance.now()) + this.#deadlineMs;
    const loader = (consistentRead: boolean): ItemLoader =>
      new DataLoader<TableKey, Item | null, string>(
        (keys) =>
          batchGetItems({ send: (command) => this.send<BatchGetCommandOutput>(command) }, keys, {
            tableName: this.tableName,
            consistentRead,
            ...(options.batchBudgetMs ? { budgetMs: options.batchBudgetMs } : {}),
          }),
        {
          cacheKeyFn: keyId,
          // batchGetItems splits into calls of 100 itself, and runs them in parallel.
          maxBatchSize: Number.POSITIVE_INFINITY,
          batchScheduleFn: (dispatch) => this.#whenIdle(dispatch),
        },
      );
    this.#loader = loader;
    this.items = loader(false);
  }

  /** Strongly consistent reads, batched like `items` (made on first use: few requests need one). */
  get consistentItems(): ItemLoader {
    this.#consistentItems ??= this.#loader(true);
    return this.#consistentItems;
  }

  /**
   * A new answer on the same request (each event of a subscription): what earlier answers
   * loaded is forgotten, and so is an earlier failure to reach DynamoDB.
   */
  startAnswer(): void {
    this.items.clearAll();
    this.#consistentItems?.clearAll();
    this.#unreachable = undefined;
    this.#deadline = performance.now() + this.#deadlineMs;
    this.#admitted = false;
  }

  /** Milliseconds left before the deadline (negative once it has passed). */
  remainingMs(): number {
    return this.#deadline - performance.now();
  }

  /**
   * Sends a command as part of this request. Once a call of the request found DynamoDB
   * unreachable (a refused connection, the SDK's timeouts after its retries), the calls after it
   * fail at once with the same error: the request is answered SERVICE_UNAVAILABLE within one
   * call's time bound, not one bound per call still to come (a batch that waited for the failed
   * call, say). Throttling is not this: it is per key, and another call may well go through.
   * A subscription starts each event's answer afresh (startAnswer).
   *
   * Every call passes admission control first (a ShedError when it cannot start before the
   * deadline). An idempotent write whose outcome is unknown (WriteOutcomeUnknownError) is sent
   * again, the same, until DynamoDB answers it or the deadline's length has passed again.
   */
  async send<T>(command: Command, options: SendOptions = {}): Promise<T> {
    if (this.#unreachable !== undefined && !options.settling) throw this.#unreachable;
    const name = operationName(command);
    this.calls.set(name, (this.calls.get(name) ?? 0) + 1);
    this.#inFlight++;
    try {
      let output: T;
      try {
        output = await this.#admit<T>(command, options.settling === true);
      } catch (error) {
        if (
          !(error instanceof WriteOutcomeUnknownError) ||
          !isIdempotentWrite(name, command.input)
        ) {
          throw error;
        }
        output = await this.#settle<T>(command, error);
      }
      this.writes.push(...writtenKeys(name, command.input));
      this.#addCapacity(
        name,
        (output as { ConsumedCapacity?: Consumed | Consumed[] } | undefined)?.ConsumedCapacity,
      );
      return output;
    } catch (error) {
      if (this.#unreachable === undefined && isUnreachableError(error)) this.#unreachable = error;
      throw error;
    } finally {
      this.#inFlight--;
      this.#scheduleIdleCheck();
    }
  }

  /**
   * One call through admission: it waits for a slot (or is shed), and holds it while on the wire.
   * Not an async function: most calls find a free slot, and go out without another promise.
   */
  #admit<T>(command: Command, settling: boolean): Promise<T> {
    const admission = this.#admission;
    if (!admission) return this.#doc.send(command as never) as Promise<T>;
    const wait = admission.acquire(
      settling ? Number.POSITIVE_INFINITY : this.#deadline,
      settling || this.#admitted ? 'continuing' : 'new',
    );
    return wait
      ? wait.then(() => this.#sendAdmitted<T>(command, admission))
      : this.#sendAdmitted<T>(command, admission);
  }

  #sendAdmitted<T>(command: Command, admission: Admission): Promise<T> {
    this.#admitted = true;
    const sentAt = performance.now();
    const sent = this.#doc.send(command as never) as Promise<T>;
    const release = () => admission.release(performance.now() - sentAt);
    sent.then(release, release);
    return sent;
  }

  /**
   * Sends an idempotent write again (a transaction with the same ClientRequestToken, an update
   * with the same write token) after a jittered backoff, until an answer says what happened:
   * success, or an error that settles it (settlesOutcome: a failed condition, which the caller
   * reads). Gives up with the unknown outcome once the deadline's length has passed since the
   * first failure.
   */
  async #settle<T>(command: Command, unknown: WriteOutcomeUnknownError): Promise<T> {
    const giveUpAt = performance.now() + this.#deadlineMs;
    for (let attempt = 0; ; attempt++) {
      const delay = Math.min(2_000, 200 * 2 ** attempt) * (0.5 + Math.random() / 2);
      if (performance.now() + delay > giveUpAt) throw unknown;
      await sleep(delay);
      try {
        return await this.#admit<T>(command, true);
      } catch (error) {
        if (settlesOutcome(error)) throw error;
      }
    }
  }

  query(input: Omit<QueryCommandInput, 'TableName'>) {
    return this.send<QueryCommandOutput>(new QueryCommand({ TableName: this.tableName, ...input }));
  }

  /**
   * Every item of a bounded key range (a whole small partition), page after page. Stops after
   * `maxItems`.
   */
  async queryAll(
    query: KeyQuery,
    options: { consistentRead?: boolean; maxItems?: number } = {},
  ): Promise<Item[]> {
    const maxItems = options.maxItems ?? Number.POSITIVE_INFINITY;
    const { items } = await queryItems(
      this,
      { ...query.input, ...(options.consistentRead ? { ConsistentRead: true } : {}) },
      maxItems,
    );
    return items.slice(0, maxItems);
  }

  /** Puts an item read by a Query into the item cache, so that a later load costs no call. */
  prime(item: Item): void {
    this.items.prime(keyOf(item), item);
  }

  /**
   * Puts an item this request wrote (or read fresh) into the item cache in place of what it
   * held: DataLoader's prime keeps an existing entry. `consistent`: the consistent reads' cache too.
   */
  replaceCached(item: Item, options: { consistent?: boolean } = {}): void {
    const key = keyOf(item);
    if (options.consistent) this.consistentItems.clear(key).prime(key, item);
    this.items.clear(key).prime(key, item);
  }

  totalCalls(): number {
    let sum = 0;
    for (const n of this.calls.values()) sum += n;
    return sum;
  }

  #addCapacity(operation: string, consumed: Consumed | Consumed[] | undefined): void {
    for (const entry of Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) {
      if (entry.ReadCapacityUnits !== undefined || entry.WriteCapacityUnits !== undefined) {
        this.capacity.read += entry.ReadCapacityUnits ?? 0;
        this.capacity.write += entry.WriteCapacityUnits ?? 0;
      } else if (WRITES.has(operation)) {
        this.capacity.write += entry.CapacityUnits ?? 0;
      } else {
        this.capacity.read += entry.CapacityUnits ?? 0;
      }
    }
  }

  /**
   * Starts `read` when the next batches go out, not before: a look-ahead read (a child's Query
   * that needs only its parent's arguments) then travels in the same round as its parent's
   * BatchGetItem, and counts as in flight with it, so what both wake up is batched together
   * once both are back.
   */
  alongsideNextBatch<T>(read: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#companions.push(() => {
        try {
          read().then(resolve, reject);
        } catch (error) {
          reject(error); // inside setImmediate, a throw would reach the process
        }
      });
      this.#scheduleIdleCheck();
    });
  }

  #whenIdle(dispatch: () => void): void {
    this.#waiting.push(dispatch);
    this.#scheduleIdleCheck();
  }

  /**
   * One check per turn of the event loop, after the resolvers woken by the last call have run
   * (their promise continuations are microtasks, done before setImmediate) and queued their keys:
   * if the request is still idle, every waiting batch goes out at once; if a call started
   * meanwhile, its end schedules the next check.
   */
  #scheduleIdleCheck(): void {
    if (this.#checkScheduled || this.#inFlight > 0) return;
    if (this.#waiting.length === 0 && this.#companions.length === 0) return;
    this.#checkScheduled = true;
    setImmediate(() => {
      this.#checkScheduled = false;
      if (this.#inFlight > 0) return;
      const ready = this.#waiting;
      const companions = this.#companions;
      this.#waiting = [];
      this.#companions = [];
      for (const dispatch of ready) dispatch();
      for (const start of companions) start();
    });
  }
}

const operationNames = new WeakMap<object, string>();
/** The DynamoDB operation a command calls (`BatchGetCommand` is BatchGetItem), once per class. */
function operationName(command: Command): string {
  let name = operationNames.get(command.constructor);
  if (name === undefined) {
    const short = command.constructor.name.replace(/Command$/, '');
    name = OPERATIONS[short] ?? short;
    operationNames.set(command.constructor, name);
  }
  return name;
}

/** The item keys a write command touched (PutItem, UpdateItem, DeleteItem, TransactWriteItems). */
export function writtenKeys(operation: string, input: object): TableKey[] {
  const found: TableKey[] = [];
  const add = (key: unknown) => {
    const k = key as Partial<TableKey> | undefined;
    if (typeof k?.PK === 'string' && typeof k.SK === 'string') found.push({ PK: k.PK, SK: k.SK });
  };
  const i = input as {
    Item?: unknown;
    Key?: unknown;
    TransactItems?: Array<{
      Put?: { Item?: unknown };
      Update?: { Key?: unknown };
      Delete?: { Key?: unknown };
    }>;
  };
  if (operation === 'PutItem') add(i.Item);
  if (operation === 'UpdateItem' || operation === 'DeleteItem') add(i.Key);
  if (operation === 'TransactWriteItems') {
    for (const action of i.TransactItems ?? []) {
      add(action.Put?.Item);
      add(action.Update?.Key);
      add(action.Delete?.Key);
    }
  }
  return found;
}
