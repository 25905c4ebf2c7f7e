import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

/** Runs the server as `npm start` does (src/server.ts), on the given DATA_DIR and any free port. */
export const TSX = join(process.cwd(), 'node_modules/.bin/tsx');
/**
 * One process, like `node dist/src/server.js`: the tsx binary would run the server in a child
 * process, so a signal sent to it would not be the one the server gets.
 */
export const NODE_WITH_TSX = [process.execPath, '--import', 'tsx'] as const;

export interface StartedServer {
  child: ChildProcess;
  /** The GraphiQL/GraphQL URL the server printed. */
  url: string;
  output: () => string;
}

export function startServer(env: Record<string, string>): Promise<StartedServer> {
  const [node, ...flags] = NODE_WITH_TSX;
  const child = spawn(node, [...flags, 'src/dev/start.ts'], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      PORT: '0',
      LOG_LEVEL: 'info',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      clearInterval(poll);
      reject(new Error(`exited with ${code}:\n${output}`));
    };
    const timer = setTimeout(() => {
      clearInterval(poll);
      child.kill('SIGKILL');
      reject(new Error(`no start within 60 s:\n${output}`));
    }, 60_000);
    child.once('exit', onExit);
    const poll = setInterval(() => {
      const match = /GraphiQL:\s+(http:\/\/\S+)/.exec(output);
      if (match?.[1]) {
        clearInterval(poll);
        clearTimeout(timer);
        child.off('exit', onExit);
        resolve({ child, url: match[1], output: () => output });
      }
    }, 100);
  });
}

export function stopServer(
  child: ChildProcess,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.kill(signal);
  });
}
