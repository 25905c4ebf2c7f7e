/**
 * The one way the tests and the development tools start the server as a process: `npm start`'s
 * program (src/dev/start.ts, run by Node with tsx's loader) on any free port, found from the
 * GraphiQL URL it prints.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './documents.js';

export { processAlive } from './process-alive.js';

/** The tsx binary (it runs the program in a child process of its own). */
export const TSX = join(REPO_ROOT, 'node_modules/.bin/tsx');
/**
 * One process, like `node dist/src/dev/start.js`: through the tsx binary a signal sent to the
 * child would not be the one the server gets.
 */
export const NODE_WITH_TSX = [process.execPath, '--import', 'tsx'] as const;
export const START_SCRIPT = 'src/dev/start.ts';

export interface ServerProcessOptions {
  /** The whole environment is this (over PATH, HOME and quiet defaults) unless `inheritEnv`. */
  env?: Record<string, string>;
  /** Start from this process's environment (the command-line tools), `env` over it. */
  inheritEnv?: boolean;
  /** Where the server's stderr goes; collected into `output()` by default. */
  stderr?: 'pipe' | 'inherit';
  timeoutMs?: number;
}

export interface ServerProcess {
  child: ChildProcess;
  pid: number;
  /** The GraphiQL/GraphQL URL the server printed. */
  url: string;
  /** Everything it printed so far. */
  output: () => string;
  /** Sends `signal` (SIGTERM by default) and resolves with the exit code. */
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
}

function environment(options: ServerProcessOptions): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = options.inheritEnv
    ? { ...process.env }
    : { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' };
  return {
    ...base,
    PORT: '0',
    LOG_LEVEL: 'info',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...options.env,
  };
}

function spawnServer(options: ServerProcessOptions) {
  const [node, ...flags] = NODE_WITH_TSX;
  const child = spawn(node, [...flags, START_SCRIPT], {
    cwd: REPO_ROOT,
    env: environment(options),
    stdio: ['ignore', 'pipe', options.stderr ?? 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  return { child, output: () => output };
}

/** Sends `signal` to a child (unless it has exited) and resolves with its exit code. */
export function stopProcess(
  child: ChildProcess,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve(child.exitCode);
  }
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.kill(signal);
  });
}

/** Starts the server and resolves once it printed its URL; rejects with its output if it exits. */
export function startServerProcess(options: ServerProcessOptions = {}): Promise<ServerProcess> {
  const { child, output } = spawnServer(options);
  const timeoutMs = options.timeoutMs ?? 60_000;
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      clearInterval(poll);
      reject(new Error(`exited with ${code}:\n${output()}`));
    };
    const timer = setTimeout(() => {
      clearInterval(poll);
      child.off('exit', onExit);
      child.kill('SIGKILL');
      reject(new Error(`no start within ${timeoutMs / 1_000} s:\n${output()}`));
    }, timeoutMs);
    child.once('exit', onExit);
    const poll = setInterval(() => {
      const match = /GraphiQL:\s+(http:\/\/\S+)/.exec(output());
      if (match?.[1]) {
        clearInterval(poll);
        clearTimeout(timer);
        child.off('exit', onExit);
        resolve({
          child,
          pid: child.pid ?? 0,
          url: match[1],
          output,
          stop: (signal) => stopProcess(child, signal),
        });
      }
    }, 100);
  });
}

/** Runs the server until it exits by itself (a start that must fail): its code and output. */
export async function runServerToExit(
  options: ServerProcessOptions = {},
): Promise<{ code: number | null; output: string }> {
  const { child, output } = spawnServer(options);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, output: output() };
}
