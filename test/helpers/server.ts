/**
 * Starting the server as a process, for the tests: src/dev/server-process.ts (scripts/soak.ts
 * starts it the same way), with the exact environment a test gives (plus PATH and HOME).
 */
import type { ChildProcess } from 'node:child_process';
import {
  type ServerProcess,
  startServerProcess,
  stopProcess,
} from '../../src/dev/server-process.js';

export {
  NODE_WITH_TSX,
  processAlive,
  runServerToExit,
  TSX,
} from '../../src/dev/server-process.js';

export type StartedServer = ServerProcess;

/** The server the README's way (src/dev/start.ts) with `env`, on any free port. */
export function startServer(env: Record<string, string>): Promise<StartedServer> {
  return startServerProcess({ env });
}

export function stopServer(
  child: ChildProcess,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<number | null> {
  return stopProcess(child, signal);
}
