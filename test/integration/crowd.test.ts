import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalDynamo, startLocalDynamo } from '../../src/dev/dynamodb-local.js';
import {
  auditCrowd,
  type CrowdAnswer,
  type CrowdAudit,
  crowdOrders,
  prepareCrowdShop,
  runCrowd,
} from '../../src/dev/load/crowd.js';
import {
  percentile,
  SOAK_JWT_SECRET,
  SOAK_SERVER_ENV,
  writeResult,
} from '../../src/dev/load/soak.js';
import { createDynamo, type Dynamo, SETUP_TIMEOUTS } from '../../src/store/client.js';
import { type StartedServer, startServer, stopServer } from '../helpers/server.js';

/**
 * A flash-sale crowd against a gateway process on its own in-memory DynamoDB Local, as a user
 * would run it (`DYNAMODB_ENDPOINT=… npm start`, the production defaults for timeouts,
 * retries, admission and the deadline). 300 orders at once from 20 customers on 10 products
 * with 5 units each: far more orders than stock, far more calls than the database serves at
 * once. Then the same crowd while the database is stopped (SIGSTOP) for 5 s.
 */
let local: LocalDynamo;
let server: StartedServer;
let dynamo: Dynamo;
const TABLE = 'Shop';
const figures: string[] = [];

beforeAll(async () => {
  local = await startLocalDynamo();
  server = await startServer({
    ...SOAK_SERVER_ENV,
    DYNAMODB_ENDPOINT: local.endpoint,
    TABLE_NAME: TABLE,
    // Every order reaches the database.
    RESPONSE_CACHE_TTL_SECONDS: '0',
  });
  // The audit's own client: patient, so that it reads what the table holds.
  dynamo = createDynamo({
    endpoint: local.endpoint,
    region: 'us-east-1',
    localCredentials: true,
    timeouts: SETUP_TIMEOUTS,
  });
}, 120_000);

afterAll(async () => {
  dynamo?.destroy();
  if (server) await stopServer(server.child, 'SIGKILL');
  await local?.stop();
  if (figures.length > 0) {
    writeResult(
      'crowd.md',
      [
        '# Flash-sale crowds (test/integration/crowd.test.ts)',
        '',
        `Written ${new Date().toISOString()}. A gateway process on an in-memory DynamoDB Local, default settings.`,
        '',
        '| crowd | answers placed / out of stock / shed (503) / unavailable (503) / unknown / other | orders in table | false failures | placed but missing | stock violations | p50 / p99 / max |',
        '|---|---|---|---|---|---|---|',
        ...figures,
        '',
      ].join('\n'),
    );
  }
});

/** The sale of the issue: 20 customers, 10 products with 5 units each (50 in all). */
function saleShop(prefix: string) {
  return prepareCrowdShop(dynamo.doc, TABLE, {
    prefix,
    customers: 20,
    products: 10,
    stock: 5,
    jwtSecret: SOAK_JWT_SECRET,
  });
}

function summary(name: string, answers: CrowdAnswer[], audit: CrowdAudit): string {
  const ms = answers.map((a) => a.ms);
  const a = audit.answers;
  return `| ${name} | ${a.placed} / ${a['out-of-stock']} / ${a.shed} / ${a.unavailable} / ${a.unknown} / ${a.other} | ${audit.ordersInTable} | ${audit.falseFailures.length} | ${audit.placedButMissing.length} | ${audit.stockViolations.length} | ${Math.round(percentile(ms, 50))} / ${Math.round(percentile(ms, 99))} / ${Math.round(Math.max(...ms))} ms |`;
}

describe('a flash-sale crowd at checkout', { timeout: 180_000 }, () => {
  it('300 orders at once: every answer is placed, out of stock or shed before writing, and the table agrees', async () => {
    const shop = await saleShop('crowd');
    const answers = await runCrowd(server.url, crowdOrders(shop, 300, 7, 'a'));
    const audit = await auditCrowd(dynamo.doc, TABLE, shop, answers);
    figures.push(summary('300 orders, 50 units', answers, audit));
    console.info('crowd figures', audit.answers, { ordersInTable: audit.ordersInTable });

    // Nothing outside the three honest answers: no "database unavailable", no unknown outcome.
    expect(answers.filter((a) => a.kind === 'other').map((a) => a.detail)).toEqual([]);
    expect(audit.answers.unavailable).toBe(0);
    expect(audit.answers.unknown).toBe(0);
    // The orders answered as placed are exactly the orders in the table.
    expect(audit.placedButMissing).toEqual([]);
    expect(audit.falseFailures).toEqual([]);
    expect(audit.ordersInTable).toBe(audit.answers.placed);
    // Stock adds up, and the sale sold something: the crowd was served, not shed wholesale.
    expect(audit.stockViolations).toEqual([]);
    expect(audit.answers.placed).toBeGreaterThan(0);
    expect(audit.unitsTaken).toBeLessThanOrEqual(50);
    // Every shed answer tells the client when to come back.
    for (const a of answers.filter((x) => x.kind === 'shed')) {
      expect(Number(a.retryAfter)).toBeGreaterThanOrEqual(1);
    }
    expect(server.child.exitCode).toBeNull();
  });

  it('the database stops for 5 s during a crowd: no order that exists is answered as failed', async () => {
    const shop = await saleShop('stall');
    const javaPid = local.process.pid ?? 0;
    const crowd = runCrowd(server.url, crowdOrders(shop, 300, 11, 'b'));
    // Into the crowd: transactions are on the wire when the database stops.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    process.kill(javaPid, 'SIGSTOP');
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    process.kill(javaPid, 'SIGCONT');
    const answers = await crowd;
    const audit = await auditCrowd(dynamo.doc, TABLE, shop, answers);
    figures.push(summary('300 orders, SIGSTOP 5 s', answers, audit));
    console.info('stall figures', audit.answers, {
      ordersInTable: audit.ordersInTable,
      unknownButPlaced: audit.unknownButPlaced.length,
    });

    expect(audit.falseFailures).toEqual([]);
    expect(audit.placedButMissing).toEqual([]);
    expect(audit.stockViolations).toEqual([]);
    expect(answers.filter((a) => a.kind === 'other').map((a) => a.detail)).toEqual([]);
    // Every order that exists was answered placed, or (never "failed") outcome unknown.
    expect(audit.ordersInTable).toBe(audit.answers.placed + audit.unknownButPlaced.length);
    expect(server.child.exitCode).toBeNull();
  });
});
