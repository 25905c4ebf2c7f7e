import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  prepareShop,
  Q,
  runTraffic,
  SOAK_SERVER_ENV,
  writeResult,
} from '../../src/dev/load/soak.js';
import { processAlive, type StartedServer, startServer, stopServer } from '../helpers/server.js';

/**
 * SIGTERM under load, on a server started the README's way (embedded DynamoDB Local): requests
 * already in flight complete, new connections are refused, the process exits 0 in bounded time,
 * and no Java process is left.
 */
const dataDir = mkdtempSync(join(tmpdir(), 'shop-shutdown-'));
let server: StartedServer | undefined;
afterAll(async () => {
  if (server) await stopServer(server.child, 'SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface RawReply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  endedAt: number;
}

/**
 * A POST whose body is sent in two halves: the server has the request (its headers) at once,
 * the rest of the body only when `release` is called. A slow client, in flight for as long as
 * the test wants.
 */
function slowPost(url: string, body: string, token: string) {
  const half = Math.floor(body.length / 2);
  let release: () => void = () => undefined;
  let sentHead: () => void = () => undefined;
  const headSent = new Promise<void>((resolve) => {
    sentHead = resolve;
  });
  const reply = new Promise<RawReply>((resolve, reject) => {
    const req = httpRequest(
      url,
      {
        method: 'POST',
        agent: false,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          authorization: `Bearer ${token}`,
        },
      },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => {
          text += chunk.toString();
        });
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: text,
            endedAt: Date.now(),
          }),
        );
      },
    );
    req.on('error', reject);
    req.write(body.slice(0, half), () => sentHead());
    release = () => req.end(body.slice(half));
  });
  return { reply, headSent, release: () => release() };
}

function connect(url: string): Promise<string> {
  return new Promise((resolve) => {
    const req = httpRequest(url, { method: 'GET', agent: false, path: '/health' }, (res) => {
      res.resume();
      resolve(`HTTP ${res.statusCode}`);
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    req.end();
  });
}

describe('graceful shutdown under load', { timeout: 180_000 }, () => {
  it('SIGTERM: in-flight requests complete, new connections are refused, exit 0 within bounds, no Java left', async () => {
    server = await startServer({ ...SOAK_SERVER_ENV, LOG_LEVEL: 'info', DATA_DIR: dataDir });
    const { url, child } = server;
    const marker = JSON.parse(readFileSync(join(dataDir, 'dynamodb-local.json'), 'utf8')) as {
      javaPid: number;
    };
    expect(processAlive(marker.javaPid)).toBe(true);
    const shop = await prepareShop(url, { customers: 4, products: 6, prefix: 'shutdown' });
    const customer = shop.customers[0];
    if (!customer) throw new Error('no customer');

    const exited = new Promise<{ code: number | null; at: number }>((resolve) =>
      child.once('exit', (code) => resolve({ code, at: Date.now() })),
    );
    const stopTraffic = new AbortController();
    const traffic = runTraffic({
      shop,
      concurrency: 4,
      durationMs: 30_000,
      maxRequests: 20_000,
      seed: 5,
      signal: stopTraffic.signal,
      timeoutMs: 15_000,
    });
    await sleep(3_000);

    // Slow-ish requests in flight at the signal: placeOrders whose bodies are still arriving.
    const slow = Array.from({ length: 3 }, (_, i) =>
      slowPost(
        url,
        JSON.stringify({
          query: Q.placeOrder,
          variables: {
            input: {
              idempotencyKey: `in-flight-${i}`,
              lines: [{ productId: shop.productIds[i % shop.productIds.length], quantity: 1 }],
            },
          },
        }),
        customer.token,
      ),
    );
    await Promise.all(slow.map((s) => s.headSent));
    await sleep(300); // the server has parsed their headers: they are in flight

    const signalAt = Date.now();
    child.kill('SIGTERM');
    await sleep(300);
    // A new connection after the signal is refused.
    const late = await connect(url);
    await sleep(200);
    for (const s of slow) s.release();
    const replies = await Promise.all(slow.map((s) => s.reply));
    const { code, at } = await exited;
    const shutdownMs = at - signalAt;
    stopTraffic.abort();
    const samples = await traffic;

    for (const reply of replies) {
      expect(reply.status).toBe(200);
      expect(JSON.parse(reply.body).data.placeOrder.__typename).toBe('PlaceOrderSuccess');
      // Its connection is not kept for another request: it closes once the response is sent.
      expect(reply.headers.connection).toBe('close');
      expect(reply.endedAt).toBeGreaterThan(signalAt);
    }
    expect(late).toBe('ECONNREFUSED');
    expect(code).toBe(0);
    expect(shutdownMs).toBeLessThan(12_000);
    // No Java left.
    const deadline = Date.now() + 3_000;
    while (processAlive(marker.javaPid) && Date.now() < deadline) await sleep(100);
    expect(processAlive(marker.javaPid)).toBe(false);
    expect(server.output()).toMatch(/"msg":"stopped"/);

    // The load around the signal: before it every request succeeded; after it, each request
    // either completed (it was in flight), got 503 (it came on a connection being drained), or
    // found no server; never a 500, never an error in a completed response.
    const before = samples.filter((s) => s.at < signalAt);
    expect(before.length).toBeGreaterThan(20);
    expect(before.filter((s) => s.outcome.status !== 200 || s.outcome.errors)).toEqual([]);
    const after = samples.filter((s) => s.at >= signalAt);
    const completed = after.filter((s) => s.outcome.status === 200);
    expect(completed.filter((s) => s.outcome.errors)).toEqual([]);
    const refused = after.filter((s) => s.outcome.status === 0);
    const drained503 = after.filter((s) => s.outcome.status === 503);
    expect(after.length).toBe(completed.length + refused.length + drained503.length);
    for (const s of refused) expect(s.outcome.code).toMatch(/^NETWORK/);

    const figures = {
      shutdownMs,
      exitCode: code,
      inFlightSlowCompleted: replies.length,
      trafficBefore: before.length,
      trafficCompletedAfterSignal: completed.length,
      trafficRefusedAfterSignal: refused.length,
      traffic503AfterSignal: drained503.length,
      lateConnection: late,
    };
    console.info('shutdown figures', figures);
    writeResult(
      'shutdown.md',
      [
        '# SIGTERM under load (test/integration/shutdown.test.ts)',
        '',
        `Written ${new Date().toISOString()}. Server started the README's way (embedded DynamoDB Local), 4 workers of mixed traffic, 3 placeOrders in flight (bodies still arriving) at the signal.`,
        '',
        '| figure | value |',
        '|---|---|',
        `| SIGTERM to exit (code ${code}) | ${shutdownMs} ms |`,
        `| in-flight placeOrders completed after the signal | ${replies.length} of 3 (Connection: close) |`,
        `| new connection 300 ms after the signal | ${late} |`,
        `| traffic before the signal (all 200) | ${before.length} |`,
        `| traffic after the signal: completed / 503 / refused | ${completed.length} / ${drained503.length} / ${refused.length} |`,
        '| Java process after exit | gone |',
        '',
      ].join('\n'),
    );
  });
});
