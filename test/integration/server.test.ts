import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { postGraphQL } from '../helpers/graphql.js';
import { processAlive, runServerToExit, startServer, stopServer } from '../helpers/server.js';

/**
 * The README's first command, as a newcomer runs it: the server on an embedded DynamoDB Local
 * with its files in DATA_DIR, the sample catalog, GraphiQL, and a clean stop.
 */
const dataDir = mkdtempSync(join(tmpdir(), 'shop-start-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const start = () => startServer({ DATA_DIR: dataDir });
const stop = stopServer;

async function categories(url: string) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ categories { slug productCount } }' }),
  });
  return (await response.json()) as { data: { categories: Array<{ productCount: number }> } };
}

describe('npm start on the embedded DynamoDB Local', { timeout: 120_000 }, () => {
  it('starts, loads the sample catalog, serves GraphiQL and tokens, and stops on SIGINT with no Java left', async () => {
    const server = await start();
    expect(server.output()).toMatch(/loaded the sample catalog/);
    expect(server.output()).toMatch(/demo customer: \{ "Authorization": "Bearer ey/);
    const marker = JSON.parse(readFileSync(join(dataDir, 'dynamodb-local.json'), 'utf8'));
    expect(marker.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const body = await categories(server.url);
    const total = body.data.categories.reduce((sum, c) => sum + c.productCount, 0);
    expect(total).toBe(120);

    const page = await fetch(server.url, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/graphiql/i);

    const javaPid = marker.javaPid as number;
    expect(processAlive(javaPid)).toBe(true);
    expect(await stop(server.child, 'SIGINT')).toBe(0);
    expect(processAlive(javaPid)).toBe(false);
    expect(existsSync(join(dataDir, 'dynamodb-local.json'))).toBe(false);
    expect(server.output()).toMatch(/"msg":"stopped"/);
  });

  it('keeps its data across a restart and does not load the sample twice; SIGTERM stops it too', async () => {
    const server = await start();
    expect(server.output()).not.toMatch(/loaded the sample catalog/);
    const body = await categories(server.url);
    expect(body.data.categories.reduce((sum, c) => sum + c.productCount, 0)).toBe(120);
    await requestBodies(server.url);
    expect(await stop(server.child, 'SIGTERM')).toBe(0);
  });

  it('a server killed outright (SIGKILL) leaves no Java process behind', async () => {
    const server = await start();
    const marker = JSON.parse(readFileSync(join(dataDir, 'dynamodb-local.json'), 'utf8'));
    expect(processAlive(marker.javaPid)).toBe(true);
    await stop(server.child, 'SIGKILL');
    const deadline = Date.now() + 5_000;
    while (processAlive(marker.javaPid) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(processAlive(marker.javaPid)).toBe(false);
  });

  it('without Java, says so once and names the alternatives', async () => {
    const { code, output } = await runServerToExit({
      env: { PATH: '/nonexistent', DATA_DIR: dataDir },
    });
    expect(code).toBe(1);
    expect(output).toMatch(/needs Java 17/);
    expect(output).toMatch(/DYNAMODB_ENDPOINT/);
    expect(output).toMatch(/docker compose up/);
  });

  it('a bad configuration stops it with one message naming the variable', async () => {
    const { code, output } = await runServerToExit({ env: { PORT: 'eighty', DATA_DIR: dataDir } });
    expect(code).toBe(1);
    expect(output.trim()).toMatch(/^Invalid configuration: PORT: /);
  });

  it('a bad TRUSTED_DOCUMENTS manifest stops it with one line, before DynamoDB Local starts', async () => {
    // A data directory of its own: the SIGKILL test above leaves its marker file behind.
    const ownDir = mkdtempSync(join(dataDir, 'manifest-'));
    const manifest = join(ownDir, 'wrong-manifest.json');
    writeFileSync(manifest, JSON.stringify({ ['0'.repeat(64)]: '{ categories { slug } }' }));
    const { code, output } = await runServerToExit({
      env: { TRUSTED_DOCUMENTS: manifest, DATA_DIR: ownDir },
    });
    expect(code).toBe(1);
    expect(output.trim()).toMatch(
      /^Invalid configuration: TRUSTED_DOCUMENTS: .*wrong-manifest\.json: 0{64} is not the sha256 of its document$/,
    );
    expect(output).not.toMatch(/^\s+at /m);
    expect(existsSync(join(ownDir, 'dynamodb-local.json'))).toBe(false);
  });
});

/**
 * `npm start` reads JSON bodies before yoga (src/http/json-body.ts): a JSON object is answered;
 * what is not one gets the 400s the abuse suite expects of the app alone.
 */
async function requestBodies(url: string): Promise<void> {
  const post = (body: string, contentType = 'application/json') =>
    postGraphQL(url, body, { 'content-type': contentType });
  const ok = await post(
    JSON.stringify({
      query: 'query Q($n: Int) { featuredProducts(first: $n) { edges { node { id } } } }',
      variables: { n: 2 },
      operationName: 'Q',
    }),
  );
  expect(ok.status).toBe(200);
  expect(
    (ok.data as { featuredProducts: { edges: unknown[] } }).featuredProducts.edges,
  ).toHaveLength(2);
  const plus = await post('{"query":"{ __typename }"}', 'application/graphql+json; charset=utf-8');
  expect(plus.json).toMatchObject({ data: { __typename: 'Query' } });
  for (const body of [
    '{"query":',
    '[{"query":"{ __typename }"}]',
    '{}',
    '"query"',
    'null',
    '{"variables":{}}',
  ]) {
    const response = await post(body);
    expect(response.status, body).toBe(400);
    expect(response.json?.data, body).toBeUndefined();
    expect(response.errors?.[0]?.extensions?.code, body).toBe('BAD_REQUEST');
  }
}
