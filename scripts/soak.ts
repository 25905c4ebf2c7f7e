/**
 * A soak from the command line (the library is src/dev/load/soak.ts):
 *
 *   npm run soak -- --minutes 5 [--concurrency 8] [--seed 7]
 *
 * Starts a server the README's way (src/dev/start.ts on an embedded DynamoDB Local, in a
 * temporary DATA_DIR) unless `--url http://127.0.0.1:4000/graphql --pid <server pid>` points at a
 * running one; writes test-results/soak.md.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  prepareShop,
  SOAK_SERVER_ENV,
  soak,
  soakMarkdown,
  writeResult,
} from '../src/dev/load/soak.js';
import { startServerProcess } from '../src/dev/server-process.js';

function argument(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const minutes = Number(argument('minutes') ?? '1');
  const concurrency = Number(argument('concurrency') ?? '8');
  const seed = Number(argument('seed') ?? '7');
  if (!(minutes > 0 && minutes <= 24 * 60) || !(concurrency >= 1 && concurrency <= 256)) {
    throw new Error('--minutes must be in (0, 1440], --concurrency in [1, 256]');
  }
  let url = argument('url');
  let pid = Number(argument('pid') ?? '0');
  let stop: (() => Promise<void>) | undefined;
  if (!url) {
    const dataDir = mkdtempSync(join(tmpdir(), 'shop-soak-'));
    const server = await startServerProcess({
      inheritEnv: true,
      env: { ...SOAK_SERVER_ENV, DATA_DIR: dataDir },
      stderr: 'inherit',
    });
    url = server.url;
    pid = server.pid;
    stop = async () => {
      await server.stop('SIGTERM');
      rmSync(dataDir, { recursive: true, force: true });
    };
  }
  try {
    console.info(`soak: ${minutes} min, ${concurrency} workers against ${url}`);
    const shop = await prepareShop(url, {
      customers: concurrency,
      products: 12,
      prefix: `soak-${Date.now().toString(36)}`,
      ...(argument('secret') ? { secret: argument('secret') as string } : {}),
    });
    const result = await soak({
      shop,
      pid,
      durationMs: minutes * 60_000,
      concurrency,
      seed,
      rssEveryMs: Math.max(5_000, (minutes * 60_000) / 60),
    });
    const markdown = soakMarkdown(result, `Soak: ${minutes} min, ${concurrency} workers`);
    const path = writeResult('soak.md', markdown);
    console.info(markdown);
    console.info(`written to ${path}`);
    const fiveXx = Object.entries(result.byStatus)
      .filter(([status]) => Number(status) >= 500 || status === '0')
      .reduce((sum, [, n]) => sum + n, 0);
    if (result.invariants.violations.length > 0 || fiveXx > 0) process.exitCode = 1;
  } finally {
    await stop?.();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
