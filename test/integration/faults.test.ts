import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, type LocalDynamo, startLocalDynamo } from '../../src/dev/dynamodb-local.js';
import {
  checkInvariants,
  gql,
  percentile,
  prepareShop,
  runTraffic,
  type Sample,
  SOAK_SERVER_ENV,
  writeResult,
} from '../../src/dev/load/soak.js';
import { type StartedServer, startServer, stopServer } from '../helpers/server.js';
import { SseReader } from '../helpers/sse.js';

/**
 * The database goes away under load: DynamoDB Local (its own, on a temporary data dir and a
 * fixed port) is killed with SIGKILL while a gateway process serves mixed traffic, stays down a
 * few seconds, and comes back on the same port and files. The gateway must stay up, fail every
 * request fast with SERVICE_UNAVAILABLE, report not-ready, recover within seconds, leave no
 * half-written order, and its stream reader must read again.
 */
const dbDir = mkdtempSync(join(tmpdir(), 'shop-faults-db-'));
const serverDir = mkdtempSync(join(tmpdir(), 'shop-faults-srv-'));
let local: LocalDynamo | undefined;
let server: StartedServer | undefined;

afterAll(async () => {
  if (server) await stopServer(server.child, 'SIGKILL');
  await local?.stop();
  rmSync(dbDir, { recursive: true, force: true });
  rmSync(serverDir, { recursive: true, force: true });
});

const OUTAGE_MS = 4_000;
const STALL_MS = 9_000;
const REQUEST_TIMEOUT_MS = 1_500;
const MAX_ATTEMPTS = 2;
const DEADLINE_MS = 4_000;
/**
 * The longest a request may take while the database is away: its calls may wait for admission
 * until the deadline, a call's attempts each time out, and a write whose outcome is unknown is
 * sent again for up to one more deadline before the answer says so. Plus a second of slack.
 */
const WORST_CASE_MS = 2 * DEADLINE_MS + MAX_ATTEMPTS * REQUEST_TIMEOUT_MS + 1_000;
/** From this long after DynamoDB Local answers again, every request succeeds. */
const RECOVERED_AFTER_MS = 5_000;
const WORKERS = 8;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const failed = (s: Sample) => s.outcome.status !== 200 || s.outcome.errors !== undefined;
const started = (s: Sample) => s.at - s.outcome.ms;

describe('DynamoDB goes away under load and comes back', { timeout: 240_000 }, () => {
  it('the gateway stays up, fails fast with SERVICE_UNAVAILABLE, recovers within seconds, and no order is half-written', async () => {
    const port = await freePort();
    local = await startLocalDynamo({ dataDir: dbDir, port });
    server = await startServer({
      ...SOAK_SERVER_ENV,
      LOG_LEVEL: 'info',
      DYNAMODB_ENDPOINT: `http://127.0.0.1:${port}`,
      DATA_DIR: serverDir,
      // Every read reaches the database: a cached read would hide the outage.
      RESPONSE_CACHE_TTL_SECONDS: '0',
      // A stalled database (below) fails each call within about 2 × 1.5 s.
      DYNAMODB_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
      DYNAMODB_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
      REQUEST_DEADLINE_MS: String(DEADLINE_MS),
    });
    const { url } = server;
    const origin = new URL(url).origin;
    const shop = await prepareShop(url, { customers: 4, products: 8, prefix: 'faults' });

    // /ready, polled throughout.
    const ready: Array<{ at: number; status: number; ms: number }> = [];
    const polling = new AbortController();
    const poller = (async () => {
      for (let i = 0; i < 400 && !polling.signal.aborted; i++) {
        const t0 = Date.now();
        const status = await fetch(`${origin}/ready`, { signal: AbortSignal.timeout(10_000) })
          .then((r) => r.status)
          .catch(() => 0);
        ready.push({ at: Date.now(), status, ms: Date.now() - t0 });
        await sleep(200);
      }
    })();

    const trafficStart = Date.now();
    const stopTraffic = new AbortController();
    const traffic = runTraffic({
      signal: stopTraffic.signal,
      shop,
      concurrency: WORKERS,
      durationMs: 90_000,
      maxRequests: 20_000,
      seed: 3,
      mix: { categories: 2, category: 2, product: 2, me: 1, cart: 0, order: 4, cancel: 0 },
      timeoutMs: 20_000,
    });
    await sleep(4_000);
    const killAt = Date.now();
    local.process.kill('SIGKILL');
    await new Promise((resolve) => local?.process.once('exit', resolve));
    await sleep(OUTAGE_MS);
    const restartAt = Date.now();
    local = await startLocalDynamo({ dataDir: dbDir, port });
    const upAt = Date.now();
    // Traffic goes on for a while after the restart: recovery is measured in it.
    await sleep(14_000);
    // Then the database stalls: SIGSTOP, so connections are accepted but nothing answers.
    const stallAt = Date.now();
    const javaPid = local.process.pid ?? 0;
    process.kill(javaPid, 'SIGSTOP');
    await sleep(STALL_MS);
    const contAt = Date.now();
    process.kill(javaPid, 'SIGCONT');
    await sleep(8_000);
    stopTraffic.abort();
    const samples = await traffic;
    // A little more /ready after the traffic: it must be back.
    await sleep(1_000);
    polling.abort();
    await poller;

    // The gateway never exited.
    expect(server.child.exitCode).toBeNull();
    expect(server.child.signalCode).toBeNull();

    const before = samples.filter((s) => s.at < killAt);
    expect(before.length).toBeGreaterThan(20);
    expect(before.filter(failed)).toEqual([]);

    // Requests that started once the database was dead (the kill has landed) and ended before
    // it was started again: every one fails, fast, with SERVICE_UNAVAILABLE and HTTP 503.
    const outage = samples.filter((s) => started(s) > killAt + 200 && s.at < restartAt);
    expect(outage.length).toBeGreaterThan(10);
    const codes = new Map<string, number>();
    for (const s of outage) {
      const key = `${s.outcome.status} ${s.outcome.code}`;
      codes.set(key, (codes.get(key) ?? 0) + 1);
    }
    expect(Object.fromEntries(codes)).toEqual({ '503 SERVICE_UNAVAILABLE': outage.length });
    const outageLatencies = outage.map((s) => s.outcome.ms);
    const outageMax = Math.max(...outageLatencies);
    expect(outageMax).toBeLessThan(5_000);
    // Every request that was hit by the outage, whenever it started, ended within bounds.
    const hit = samples.filter((s) => s.at >= killAt && started(s) < upAt);
    const hitMax = Math.max(...hit.map((s) => s.outcome.ms));
    expect(hitMax).toBeLessThan(WORST_CASE_MS);
    expect(hit.filter((s) => s.outcome.status === 0)).toEqual([]);

    // Recovery: the first success after DynamoDB Local answered again, and from when on every
    // request succeeded.
    const after = samples.filter((s) => s.at >= upAt && started(s) < stallAt - 3_500);
    expect(after.length).toBeGreaterThan(20);
    const firstOk = after.find((s) => !failed(s));
    expect(firstOk).toBeDefined();
    const recoveryMs = (firstOk?.at ?? Number.NaN) - upAt;
    // From 5 s after the restart (counted from when DynamoDB Local answers again: its JVM alone
    // takes seconds to start), every request succeeds: the gateway has no backlog of its own.
    const lastFailure = Math.max(upAt, ...after.filter(failed).map(started));
    const allOkAfterMs = lastFailure - upAt;
    const tail = after.filter((s) => started(s) > upAt + RECOVERED_AFTER_MS);
    expect(tail.length).toBeGreaterThan(10);
    expect(tail.filter(failed).map((s) => `${s.op} ${s.outcome.status} ${s.outcome.code}`)).toEqual(
      [],
    );
    expect(allOkAfterMs).toBeLessThan(RECOVERED_AFTER_MS);
    const window = after.filter((s) => started(s) > upAt + 5_000 && started(s) < upAt + 10_000);

    // /ready: 200 before, 503 while the database is down, 200 again after.
    const readyBefore = ready.filter((r) => r.at < killAt);
    const readyDuring = ready.filter((r) => r.at - r.ms > killAt + 200 && r.at < restartAt);
    const readyAfter = ready.filter((r) => r.at - r.ms > upAt + 8_000 && r.at < stallAt);
    expect(readyBefore.length).toBeGreaterThan(0);
    expect(readyBefore.every((r) => r.status === 200)).toBe(true);
    expect(readyDuring.length).toBeGreaterThan(3);
    expect(readyDuring.every((r) => r.status === 503)).toBe(true);
    expect(Math.max(...readyDuring.map((r) => r.ms))).toBeLessThan(5_000);
    const readyAgain = ready.find((r) => r.at > upAt && r.status === 200);
    const readyRecoveryMs = (readyAgain?.at ?? Number.NaN) - upAt;
    expect(readyRecoveryMs).toBeLessThan(5_000);
    expect(readyAfter.length).toBeGreaterThan(0);
    expect(readyAfter.every((r) => r.status === 200)).toBe(true);

    // The stall: requests that started while the database was stopped end within the bound
    // (WORST_CASE_MS) with SERVICE_UNAVAILABLE, or, for an order whose transaction went out and
    // got no answer, OrderOutcomeUnknownError (never "failed"); so does /ready; after SIGCONT
    // everything succeeds again.
    const stalled = samples.filter((s) => started(s) > stallAt + 200 && s.at < contAt);
    expect(stalled.length).toBeGreaterThan(1);
    for (const s of stalled) {
      const unknown = s.outcome.data?.placeOrder?.__typename === 'OrderOutcomeUnknownError';
      expect(unknown ? 'unknown' : `${s.outcome.status} ${s.outcome.code}`).toMatch(
        /^(503 SERVICE_UNAVAILABLE|unknown)$/,
      );
    }
    const stallHit = samples.filter((s) => s.at >= stallAt && started(s) < contAt);
    const stallMax = Math.max(...stallHit.map((s) => s.outcome.ms));
    expect(stallMax).toBeLessThan(WORST_CASE_MS);
    const readyStalled = ready.filter((r) => r.at - r.ms > stallAt + 200 && r.at < contAt);
    expect(readyStalled.length).toBeGreaterThan(0);
    // Never ready while stalled (503; or no answer at all within the probe's own 10 s).
    expect(readyStalled.map((r) => r.status)).not.toContain(200);
    expect(readyStalled.map((r) => r.status)).toContain(503);
    const unstalled = samples.filter((s) => started(s) > contAt + 3_000);
    expect(unstalled.length).toBeGreaterThan(10);
    expect(unstalled.filter(failed)).toEqual([]);
    const firstOkAfterCont = samples.find((s) => s.at > contAt && !failed(s));
    const stallRecoveryMs = (firstOkAfterCont?.at ?? Number.NaN) - contAt;

    // No order is half-written: stock adds up with the orders that exist, counts match.
    const invariants = await checkInvariants(shop);
    expect(invariants.violations).toEqual([]);
    expect(invariants.orders).toBeGreaterThan(0);

    // The stream reader survived: a subscription sees a change made after the recovery.
    const productId = shop.productIds[0] as string;
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({
        query:
          'subscription Stock($productId: ID!) { stockChanged(productId: $productId) { id stock } }',
        variables: { productId },
      }),
    });
    expect(response.status).toBe(200);
    const events = new SseReader(response);
    let streamLatencyMs = Number.NaN;
    try {
      // Subscribing is asynchronous on the server: give it a moment before the write.
      await sleep(500);
      // A restock always succeeds (an order could meet a product the load sold out).
      const writeAt = Date.now();
      const restocked = await gql(
        url,
        'mutation($p: ID!) { restock(productId: $p, quantity: 1) { __typename } }',
        { p: productId },
        { token: shop.admin },
      );
      expect(restocked.data?.restock?.__typename).toBe('RestockSuccess');
      const event = await events.next(20_000);
      streamLatencyMs = Date.now() - writeAt;
      expect(event?.data).toMatchObject({ data: { stockChanged: { id: productId } } });
    } finally {
      await events.close();
    }
    const readerWarnings = (
      server.output().match(/reading the stream failed|DescribeStream failed/g) ?? []
    ).length;
    expect(server.child.exitCode).toBeNull();

    const figures = {
      requests: samples.length,
      outageRequests: outage.length,
      outageP50Ms: Math.round(percentile(outageLatencies, 50)),
      outageMaxMs: Math.round(outageMax),
      hitByOutageMaxMs: Math.round(hitMax),
      dbStartMs: upAt - restartAt,
      recoveryMs,
      allOkAfterMs,
      window5to10s: `${window.filter((s) => !failed(s)).length}/${window.length}`,
      readyDuring: readyDuring.length,
      readyRecoveryMs,
      orders: invariants.orders,
      violations: invariants.violations.length,
      streamEventAfterRecoveryMs: streamLatencyMs,
      streamReaderWarnings: readerWarnings,
      stalledRequests: stalled.length,
      stallMaxMs: Math.round(stallMax),
      stallRecoveryMs,
      readyStalled: readyStalled.map((r) => `${r.status}/${r.ms}ms`).join(' '),
      trafficMs: Date.now() - trafficStart,
    };
    console.info('faults figures', figures);
    writeResult(
      'faults.md',
      [
        '# DynamoDB killed under load (test/integration/faults.test.ts)',
        '',
        `Written ${new Date().toISOString()}. DynamoDB Local killed with SIGKILL, down ${OUTAGE_MS} ms, restarted on the same port and data dir; ${WORKERS} workers of mixed reads and placeOrder; REQUEST_DEADLINE_MS=${DEADLINE_MS}.`,
        '',
        '| figure | value |',
        '|---|---|',
        `| requests in all | ${figures.requests} |`,
        `| requests during the outage (all 503 SERVICE_UNAVAILABLE) | ${figures.outageRequests} |`,
        `| outage error time p50 / max | ${figures.outageP50Ms} ms / ${figures.outageMaxMs} ms |`,
        `| longest request hit by the outage (incl. in flight at the kill) | ${figures.hitByOutageMaxMs} ms |`,
        `| DynamoDB Local restart (to answering) | ${figures.dbStartMs} ms |`,
        `| first success after DynamoDB answered | ${figures.recoveryMs} ms |`,
        `| every request succeeds from | ${figures.allOkAfterMs} ms after DynamoDB answered |`,
        `| requests that succeeded, 5 to 10 s after DynamoDB answered again | ${figures.window5to10s} |`,
        `| /ready 200 again | ${figures.readyRecoveryMs} ms after DynamoDB answered |`,
        `| orders afterwards / invariant violations | ${figures.orders} / ${figures.violations} |`,
        `| stream event after recovery (write to SSE event) | ${figures.streamEventAfterRecoveryMs} ms |`,
        `| stream reader warnings during the outage | ${figures.streamReaderWarnings} |`,
        `| stall (SIGSTOP ${STALL_MS} ms, DYNAMODB_REQUEST_TIMEOUT_MS=${REQUEST_TIMEOUT_MS}, DYNAMODB_MAX_ATTEMPTS=${MAX_ATTEMPTS}): requests, all 503 (or, for an order, outcome unknown) | ${figures.stalledRequests} |`,
        `| stall: longest request | ${figures.stallMaxMs} ms |`,
        `| stall: first success after SIGCONT | ${figures.stallRecoveryMs} ms |`,
        '',
      ].join('\n'),
    );
  });
});
