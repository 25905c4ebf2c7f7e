import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operation } from '../helpers/graphql.js';
import { type StartedServer, startServer, stopServer } from '../helpers/server.js';

/**
 * GraphiQL in a real browser, against a server started the README's way (`npm start`: embedded
 * DynamoDB Local, sample data): the contract's CategoryPage typed into the query editor, its
 * variables into the Variables tab, the run button clicked, and the products read back from the
 * result pane. Offline: the page must not need a CDN (see src/app/graphiql.ts), and
 * the browser is the system's Chromium, never a downloaded one.
 */
const CHROMIUM = '/usr/bin/chromium';
const INSTALL = 'apt-get update && apt-get install -y chromium';
const SCREENSHOT = join(process.cwd(), 'test-results/graphiql.png');

const CATEGORY_PAGE = operation('CategoryPage');

const dataDir = mkdtempSync(join(tmpdir(), 'shop-graphiql-'));
const profileDir = mkdtempSync(join(tmpdir(), 'shop-chromium-'));
let server: StartedServer | undefined;
let browser: BrowserContext | undefined;

beforeAll(async () => {
  // Fails rather than skips: a browser test that silently does not run proves nothing.
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: the GraphiQL browser test needs the system Chromium (no browser is downloaded). Install it with: ${INSTALL}`,
    );
  }
  server = await startServer({
    DATA_DIR: dataDir,
    JWT_SECRET: 'graphiql-test-jwt-secret-0123456789-abcdef',
    CURSOR_SECRET: 'c'.repeat(40),
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (server) expect(await stopServer(server.child)).toBe(0);
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(profileDir, { recursive: true, force: true });
}, 60_000);

// biome-ignore lint/suspicious/noExplicitAny: the response is checked field by field
type Data = any;

async function graphql(query: string, variables: Record<string, unknown> = {}): Promise<Data> {
  if (!server) throw new Error('no server');
  const response = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: Data; errors?: unknown[] };
  if (response.status !== 200 || body.errors) {
    throw new Error(`HTTP ${response.status}: ${JSON.stringify(body)}`);
  }
  return body.data;
}

/** Monaco renders spaces as non-breaking spaces; the rest of its text is as typed. */
const plain = (text: string) => text.replace(/\u00a0/g, ' ');
/** The same GraphQL whatever its layout: commas and runs of white space count as one space. */
const tokens = (text: string) =>
  plain(text)
    .replace(/[\s,]+/g, ' ')
    .replace(/ ?([(){}:!]) ?/g, '$1')
    .trim();

describe('GraphiQL in Chromium', { timeout: 120_000 }, () => {
  it('serves a page that loads nothing from another origin', async () => {
    if (!server) throw new Error('no server');
    const response = await fetch(server.url, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
    const html = await response.text();
    expect(html).toContain('renderYogaGraphiQL');
    // No <script src>, <link href> or worker URL pointing at a CDN.
    expect(html).not.toMatch(/(src|href)=["']?https?:/i);
    expect(html).not.toMatch(/unpkg\.com|jsdelivr\.net|cdnjs/i);
  });

  it('runs the contract CategoryPage typed into GraphiQL and shows its products', async () => {
    if (!server) throw new Error('no server');
    // The expected answer, from the same operation over fetch.
    const { categories } = await graphql('{ categories { slug productCount } }');
    const slug: string = categories.find((c: Data) => c.productCount >= 3)?.slug;
    expect(slug).toBeTruthy();
    const variables = { slug, first: 3 };
    const expected = await graphql(CATEGORY_PAGE, variables);
    const products: { name: string; priceCents: number }[] = expected.category.products.edges.map(
      (e: Data) => e.node,
    );
    expect(products).toHaveLength(3);

    browser = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
      // Tall enough that the result editor renders every line (Monaco draws visible lines only).
      viewport: { width: 1400, height: 1300 },
    });
    const page = browser.pages()[0] ?? (await browser.newPage());
    const offsite: string[] = [];
    page.on('request', (request) => {
      const url = request.url();
      if (/^https?:/.test(url) && !url.startsWith(new URL(server?.url ?? '').origin)) {
        offsite.push(url);
      }
    });
    await page.goto(server.url);
    await page.locator('button.graphiql-execute-button').waitFor({ timeout: 60_000 });

    // The query: select the default one and type the contract's over it, on one line (the
    // editor auto-indents and closes brackets after each typed newline), inserted as a single
    // input like a paste; then GraphiQL's Prettify button lays it out again.
    const queryEditor = page.locator('.graphiql-query-editor .view-lines').first();
    await queryEditor.click();
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Delete');
    await page.keyboard.insertText(CATEGORY_PAGE.replace(/\s+/g, ' '));
    await page.getByRole('button', { name: /^Prettify query/ }).click();
    await expect
      .poll(async () => tokens(await queryEditor.innerText()), { timeout: 10_000 })
      .toBe(tokens(CATEGORY_PAGE));

    // The variables, in the Variables tab of the editor tools.
    await page.getByRole('button', { name: 'Variables' }).click();
    const variablesEditor = page
      .locator('section.graphiql-editor-tool[aria-label="Variables"] .view-lines')
      .first();
    await variablesEditor.click();
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Delete');
    await page.keyboard.insertText(JSON.stringify(variables));
    await expect
      .poll(async () => plain(await variablesEditor.innerText()), { timeout: 10_000 })
      .toBe(JSON.stringify(variables));

    await page.locator('button.graphiql-execute-button').click();
    const result = page.locator('section[aria-label="Result Window"]');
    const lastName = products.at(-1)?.name ?? '';
    await expect
      .poll(async () => plain(await result.innerText()), { timeout: 30_000 })
      .toContain(lastName);

    const shown = plain(await result.innerText());
    expect(shown).toContain(`"slug": "${slug}"`);
    expect(shown).toContain(`"name": "${expected.category.name}"`);
    for (const product of products) {
      expect(shown).toContain(`"name": "${product.name}"`);
      expect(shown).toContain(`"priceCents": ${product.priceCents}`);
    }
    expect(shown).not.toContain('"errors"');
    expect(offsite).toEqual([]);

    mkdirSync(join(process.cwd(), 'test-results'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT });
    expect(statSync(SCREENSHOT).size).toBeGreaterThan(10_000);
  });
});
