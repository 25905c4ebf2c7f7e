import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page, type Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StartedServer, startServer, stopServer } from '../helpers/server.js';
import { until } from '../helpers/until.js';

/**
 * The storefront example (examples/storefront) in a real browser, end to end: the gateway
 * started the README's way (`npm start`: embedded DynamoDB Local, sample data, stream reader),
 * the storefront's Vite dev server as `npm run storefront` runs it, proxying /graphql (HTTP and
 * WebSocket) to that gateway, and the system's Chromium. The steps run in order, as one
 * customer's visit: sign in with the printed demo token, browse, cart, order, live stock.
 */
const CHROMIUM = '/usr/bin/chromium';
const INSTALL = 'apt-get update && apt-get install -y chromium';
const SHOTS = join(process.cwd(), 'test-results');
const VITE = join(process.cwd(), 'node_modules/vite/bin/vite.js');
const PAGE_SIZE = 8; // examples/storefront/src/pages/CategoryPage.tsx

const dataDir = mkdtempSync(join(tmpdir(), 'shop-storefront-'));
let server: StartedServer | undefined;
let vite: ChildProcess | undefined;
let storefront = '';
let token = '';
let browser: Browser | undefined;
let page: Page;

interface Sent {
  operationName: string;
  variables: Record<string, unknown>;
  hasText: boolean;
}

/** What a /graphql request carried, GET (query string) or POST (JSON body). */
function sent(request: Request): Sent | undefined {
  const url = new URL(request.url());
  if (url.pathname !== '/graphql') return undefined;
  if (request.method() === 'GET') {
    return {
      operationName: url.searchParams.get('operationName') ?? '',
      variables: JSON.parse(url.searchParams.get('variables') ?? '{}'),
      hasText: url.searchParams.has('query'),
    };
  }
  const body = request.postDataJSON() as {
    operationName?: string;
    variables?: Record<string, unknown>;
    query?: string;
  } | null;
  if (!body) return undefined;
  return {
    operationName: body.operationName ?? '',
    variables: body.variables ?? {},
    hasText: typeof body.query === 'string',
  };
}

/** Every GraphQL request the page sends from now on. */
function recordRequests(target: Page): Sent[] {
  const requests: Sent[] = [];
  target.on('request', (request) => {
    const operation = sent(request);
    if (operation) requests.push(operation);
  });
  return requests;
}

async function shot(target: Page, name: string): Promise<void> {
  const path = join(SHOTS, `storefront-${name}.png`);
  await target.screenshot({ path, fullPage: true });
  expect(statSync(path).size).toBeGreaterThan(5_000);
}

async function gatewayQuery<T>(query: string, bearer?: string): Promise<T> {
  if (!server) throw new Error('no server');
  const response = await fetch(server.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
    },
    body: JSON.stringify({ query }),
  });
  const body = (await response.json()) as { data?: T; errors?: unknown };
  if (!body.data || body.errors) throw new Error(JSON.stringify(body));
  return body.data;
}

/** Starts the storefront's dev server (what `npm run storefront` runs) against `gateway`. */
function startStorefront(gateway: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [VITE, '--config', 'examples/storefront/vite.config.ts'], {
    cwd: process.cwd(),
    env: { ...process.env, GATEWAY_URL: gateway, STOREFRONT_PORT: '0', NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`vite did not start:\n${output}`)), 60_000);
    child.once('exit', (code) => reject(new Error(`vite exited with ${code}:\n${output}`)));
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Local:\s+(http:\/\/127\.0\.0\.1:\d+)\//.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve({ child, url: match[1] });
      }
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
  });
}

beforeAll(async () => {
  // Fails rather than skips: a browser test that silently does not run proves nothing.
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: install it with: ${INSTALL}`);
  }
  mkdirSync(SHOTS, { recursive: true });
  server = await startServer({
    DATA_DIR: dataDir,
    JWT_SECRET: 'storefront-test-jwt-secret-0123456789-abcdef',
    CURSOR_SECRET: 's'.repeat(40),
  });
  const started = server;
  // The tokens are printed just after the URL.
  await until(() => /demo customer: .*Bearer ([\w.-]+)/.test(started.output()), 30_000);
  token = /demo customer: .*Bearer ([\w.-]+)/.exec(started.output())?.[1] ?? '';
  const dev = await startStorefront(new URL(started.url).origin);
  vite = dev.child;
  storefront = dev.url;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  // A step that fails says which selector it waited for, inside the test's own timeout.
  context.setDefaultTimeout(15_000);
  page = await context.newPage();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  vite?.kill('SIGTERM');
  if (server) expect(await stopServer(server.child)).toBe(0);
  rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

describe('the storefront example in Chromium', () => {
  let productUrl = '';
  let productStock = 0;

  it('signs in with the demo token that npm start printed', async () => {
    expect(token.split('.')).toHaveLength(3);
    await page.goto(`${storefront}/#/login`);
    // Pasted as printed: the whole line, which the page reads the token out of.
    await page.fill('[data-testid=token]', `demo customer: { "Authorization": "Bearer ${token}" }`);
    await page.click('button[type=submit]');
    await page.waitForSelector('[data-testid=viewer]:has-text("Demo Customer")');
    expect(await page.textContent('.badge')).toBe('0');
  });

  it('browses the largest category by price, loading each next page on scroll', async () => {
    const { categories } = await gatewayQuery<{
      categories: { slug: string; name: string; productCount: number }[];
    }>('{ categories { slug name productCount } }');
    const largest = categories.reduce((a, b) => (b.productCount > a.productCount ? b : a));
    expect(largest.productCount).toBeGreaterThan(PAGE_SIZE);

    const requests = recordRequests(page);
    await page.goto(`${storefront}/#/`);
    await page.click(`[data-testid=category]:has-text("${largest.name}")`);
    await page.waitForSelector('[data-testid=product]');
    // One page before any scroll: the list is taller than the window.
    expect(await page.locator('[data-testid=product]').count()).toBe(PAGE_SIZE);
    await shot(page, '1-category');

    for (let i = 0; i < 10; i++) {
      if ((await page.textContent('[data-testid=list-end]')) === 'End of the category') break;
      const before = await page.locator('[data-testid=product]').count();
      await page.locator('[data-testid=list-end]').scrollIntoViewIfNeeded();
      await until(
        async () => (await page.locator('[data-testid=product]').count()) > before,
        15_000,
      );
    }
    await page.waitForSelector('[data-testid=list-end]:has-text("End of the category")');
    const prices = await page
      .locator('[data-testid=product] .price')
      .evaluateAll((nodes) => nodes.map((node) => Number(node.getAttribute('data-cents'))));
    expect(prices).toHaveLength(largest.productCount);
    expect(prices).toEqual([...prices].sort((a, b) => a - b));

    const pages = requests.filter((r) => r.operationName === 'StorefrontCategory');
    const cursors = new Set(pages.map((r) => r.variables.after).filter(Boolean));
    // Every page after the first asked for the one after the previous page's endCursor.
    expect(cursors.size).toBe(Math.ceil(largest.productCount / PAGE_SIZE) - 1);
    // Anonymous-shaped catalog reads go out as GETs carrying only the hash once known (APQ).
    expect(pages.some((r) => !r.hasText)).toBe(true);
  });

  it('shows a product with its reviews', async () => {
    await page.locator('[data-testid=product] a').first().click();
    await page.waitForSelector('[data-testid=stock]');
    await page.waitForSelector('[data-testid=review]');
    const reviews = await page.locator('[data-testid=review]').count();
    expect(reviews).toBeGreaterThan(0);
    expect(reviews).toBeLessThanOrEqual(5);
    expect(await page.textContent('h2')).toMatch(/\d\.\d \/ 5 from \d+|none yet/);
    productUrl = page.url();
    productStock = Number(await page.textContent('[data-testid=stock]'));
    expect(productStock).toBeGreaterThan(2);
    await shot(page, '2-product');
  });

  it('adds to the cart: the header badge updates from the cache, without a refetch', async () => {
    const requests = recordRequests(page);
    await page.fill('[data-testid=quantity]', '2');
    await page.click('text=Add to cart');
    await page.waitForSelector('.badge:has-text("2")');
    await page.waitForSelector('[role=status]:has-text("Added to your cart.")');
    expect(requests.map((r) => r.operationName)).not.toContain('StorefrontViewer');
    expect(
      requests.filter((r) => r.operationName === 'StorefrontAddToCart').length,
    ).toBeGreaterThan(0);
    await shot(page, '3-added');
  });

  it('places the order once when its first answer is lost, and another tab sees the stock drop live', async () => {
    if (!browser) throw new Error('no browser');
    // A second tab on the product, subscribed to its stock over the WebSocket.
    const watcher = await page.context().newPage();
    await watcher.goto(productUrl);
    await watcher.waitForSelector('[data-testid=live]');
    await watcher.waitForSelector(`[data-testid=stock]:has-text("${productStock}")`);

    const before = await gatewayQuery<{ me: { orderCount: number } }>(
      '{ me { orderCount } }',
      token,
    );
    const keys: string[] = [];
    let placedId = '';
    // The gateway places the order, but its answer never reaches the browser (a dropped
    // connection): the storefront cannot know, so it must retry with the same key.
    await page.route('**/graphql', async (route) => {
      const operation = sent(route.request());
      if (operation?.operationName !== 'StorefrontPlaceOrder') return route.continue();
      keys.push(String((operation.variables.input as { idempotencyKey: string }).idempotencyKey));
      const response = await route.fetch();
      const text = await response.text();
      if (!placedId && text.includes('PlaceOrderSuccess')) {
        placedId = /"order":\{"id":"([^"]+)"/.exec(text)?.[1] ?? '';
        return route.abort('connectionreset');
      }
      return route.fulfill({ response, body: text });
    });

    await page.click('[data-testid=cart-badge]');
    await page.waitForSelector('[data-testid=cart-line]');
    await page.click('[data-testid=place-order]');
    await page.waitForSelector('[data-testid=checkout-unknown]');
    expect(placedId).not.toBe('');
    await shot(page, '4-order-unconfirmed');

    await page.click('[data-testid=place-order]:has-text("Retry")');
    await page.waitForSelector('[data-testid=order-status]');
    // The retry was answered with the order the lost answer carried: one order, not two.
    expect(decodeURIComponent(page.url())).toContain(`#/o/${placedId}`);
    expect(new Set(keys).size).toBe(1);
    expect(keys.length).toBeGreaterThan(1);
    const after = await gatewayQuery<{ me: { orderCount: number } }>(
      '{ me { orderCount } }',
      token,
    );
    expect(after.me.orderCount).toBe(before.me.orderCount + 1);
    expect(await page.textContent('[data-testid=order-status]')).toBe('PENDING');
    expect(await page.textContent('.badge')).toBe('0');
    await shot(page, '5-order-placed');

    // The order took 2: the stream's stockChanged reached the other tab, with no reload.
    await watcher.waitForSelector(`[data-testid=stock]:has-text("${productStock - 2}")`, {
      timeout: 20_000,
    });
    await shot(watcher, '6-live-stock');
    await page.unroute('**/graphql');
  }, 60_000);
});
