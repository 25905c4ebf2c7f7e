/**
 * A real redis-server for a test file (Debian's `redis-server` package; .ci/run installs it):
 * its own process on a free loopback port, no persistence. `stop()` and `start()` again on the
 * same port make an outage.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { freePort } from '../../src/dev/dynamodb-local.js';

export interface TestRedis {
  url: string;
  port: number;
  /** Starts it (again, on the same port, empty). */
  start(): Promise<void>;
  /** Kills it (SIGKILL: an outage, not a clean shutdown). */
  stop(): Promise<void>;
}

export function redisServerAvailable(): boolean {
  return spawnSync('redis-server', ['--version']).status === 0;
}

export async function startTestRedis(): Promise<TestRedis> {
  if (!redisServerAvailable()) {
    throw new Error(
      'redis-server is not installed: `sudo apt-get install -y redis-server` (the fleet tests run a real one)',
    );
  }
  const port = await freePort();
  let child: ChildProcess | undefined;
  const redis: TestRedis = {
    url: `redis://127.0.0.1:${port}`,
    port,
    start: () =>
      new Promise((resolve, reject) => {
        const started = spawn(
          'redis-server',
          ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
          { stdio: ['ignore', 'pipe', 'pipe'] },
        );
        child = started;
        let output = '';
        const timer = setTimeout(
          () => reject(new Error(`redis-server did not start:\n${output}`)),
          10_000,
        );
        started.stdout?.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          if (output.includes('Ready to accept connections')) {
            clearTimeout(timer);
            resolve();
          }
        });
        started.once('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`redis-server exited with ${code}:\n${output}`));
        });
      }),
    stop: () =>
      new Promise((resolve) => {
        const running = child;
        if (!running || running.exitCode !== null || running.signalCode !== null) return resolve();
        running.removeAllListeners('exit');
        running.once('exit', () => resolve());
        running.kill('SIGKILL');
      }),
  };
  await redis.start();
  return redis;
}
