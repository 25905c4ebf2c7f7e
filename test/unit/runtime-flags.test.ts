import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { startNodeFlags } from '../../src/dev/bench/processes.js';

const root = new URL('../../', import.meta.url);

/** The node flags of the Dockerfile's final CMD (exec form). */
function dockerfileNodeFlags(): string[] {
  const cmd = readFileSync(new URL('Dockerfile', root), 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('CMD '))
    .at(-1);
  if (!cmd) throw new Error('the Dockerfile has no CMD');
  const words = JSON.parse(cmd.slice('CMD '.length)) as string[];
  expect(words[0]).toBe('node');
  expect(words.at(-1)).toBe('dist/src/entry/server.js');
  return words.slice(1, -1);
}

describe('the server runtime flags', () => {
  it('npm start, the container and the benchmark run the server with the same heap budget', () => {
    const flags = startNodeFlags();
    expect(flags).toContain('--max-old-space-size=1024');
    expect(dockerfileNodeFlags()).toEqual(flags);
  });
});
