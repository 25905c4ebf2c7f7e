import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startServer, stopServer, TSX } from '../helpers/server.js';

/**
 * The README's first command, as a newcomer runs it: the server on an embedded DynamoDB Local
 * with its files in DATA_DIR, the sample catalog, GraphiQL, and a clean stop.
 */
const dataDir = mkdtempSync(join(tmpdir(), 'shop-start-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const start = () => startServer({ DATA_DIR: dataDir });
const stop = stopServer;

function javaPidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

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
    expect(javaPidAlive(javaPid)).toBe(true);
    expect(await stop(server.child, 'SIGINT')).toBe(0);
    expect(javaPidAlive(javaPid)).toBe(false);
    expect(existsSync(join(dataDir, 'dynamodb-local.json'))).toBe(false);
    expect(server.output()).toMatch(/"msg":"stopped"/);
  });

  it('keeps its data across a restart and does not load the sample twice; SIGTERM stops it too', async () => {
    const server = await start();
    expect(server.output()).not.toMatch(/loaded the sample catalog/);
    const body = await categories(server.url);
    expect(body.data.categories.reduce((sum, c) => sum + c.productCount, 0)).toBe(120);
    expect(await stop(server.child, 'SIGTERM')).toBe(0);
  });

  it('a server killed outright (SIGKILL) leaves no Java process behind', async () => {
    const server = await start();
    const marker = JSON.parse(readFileSync(join(dataDir, 'dynamodb-local.json'), 'utf8'));
    expect(javaPidAlive(marker.javaPid)).toBe(true);
    await stop(server.child, 'SIGKILL');
    const deadline = Date.now() + 5_000;
    while (javaPidAlive(marker.javaPid) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(javaPidAlive(marker.javaPid)).toBe(false);
  });

  it('without Java, says so once and names the alternatives', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/dev/start.ts'], {
      env: { PATH: '/nonexistent', DATA_DIR: dataDir, PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (c: Buffer) => {
      output += c.toString();
    });
    child.stderr?.on('data', (c: Buffer) => {
      output += c.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(output).toMatch(/needs Java 17/);
    expect(output).toMatch(/DYNAMODB_ENDPOINT/);
    expect(output).toMatch(/docker compose up/);
  });

  it('a bad configuration stops it with one message naming the variable', async () => {
    const child = spawn(TSX, ['src/dev/start.ts'], {
      env: { PATH: process.env.PATH ?? '', PORT: 'eighty', DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(stderr.trim()).toMatch(/^Invalid configuration: PORT: /);
  });
});
