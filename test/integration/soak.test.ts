import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  prepareShop,
  SOAK_SERVER_ENV,
  soak,
  soakMarkdown,
  writeResult,
} from '../../src/dev/load/soak.js';
import { type StartedServer, startServer, stopServer } from '../helpers/server.js';

/**
 * The soak's short version (scripts/soak.ts, `npm run soak -- --minutes N` for a long one):
 * mixed contract traffic against a server started the README's way, then the invariants.
 */
const SOAK_MS = Number(process.env.SOAK_SECONDS ?? '25') * 1_000;
const dataDir = mkdtempSync(join(tmpdir(), 'shop-soak-test-'));
let server: StartedServer | undefined;
afterAll(async () => {
  if (server) expect(await stopServer(server.child, 'SIGTERM')).toBe(0);
  rmSync(dataDir, { recursive: true, force: true });
});

describe('soak (short)', { timeout: 180_000 }, () => {
  it('mixed traffic: no 5xx, no error codes, invariants hold, p99 and RSS growth bounded', async () => {
    server = await startServer({ ...SOAK_SERVER_ENV, DATA_DIR: dataDir });
    const pid = server.child.pid ?? 0;
    const shop = await prepareShop(server.url, { customers: 6, products: 10, prefix: 'soak-ci' });
    const result = await soak({
      shop,
      pid,
      durationMs: SOAK_MS,
      concurrency: 6,
      seed: 11,
      rssEveryMs: 2_500,
      maxRequests: 200_000,
    });
    const markdown = soakMarkdown(result, `Soak (CI, ${SOAK_MS / 1_000} s, 6 workers)`);
    writeResult('soak.md', markdown);
    const firstMb = (result.rss[0]?.kb ?? 0) / 1024;
    const lastMb = (result.rss.at(-1)?.kb ?? 0) / 1024;
    console.info('soak figures', {
      requests: result.requests,
      p50Ms: Math.round(result.p50),
      p99Ms: Math.round(result.p99),
      maxMs: Math.round(result.max),
      byStatus: result.byStatus,
      byCode: result.byCode,
      rssStartMb: Math.round(firstMb),
      rssEndMb: Math.round(lastMb),
      orders: result.invariants.orders,
      cancelled: result.invariants.cancelled,
      violations: result.invariants.violations.length,
    });

    expect(result.requests).toBeGreaterThan(200);
    expect(Object.keys(result.byStatus)).toEqual(['200']);
    expect(result.byCode).toEqual({});
    expect(result.invariants.violations).toEqual([]);
    // The traffic did what it is for: orders placed and cancelled, stock taken.
    expect(result.invariants.orders).toBeGreaterThan(10);
    expect(result.invariants.cancelled).toBeGreaterThan(0);
    expect(result.outcomes['order:PlaceOrderSuccess'] ?? 0).toBeGreaterThan(10);
    expect(result.outcomes['cancel:CancelOrderSuccess'] ?? 0).toBeGreaterThan(0);
    expect(result.p99).toBeLessThan(4_000);
    expect(result.rss.length).toBeGreaterThan(3);
    expect(lastMb - firstMb).toBeLessThan(150);
    expect(server.child.exitCode).toBeNull();
  });
});
