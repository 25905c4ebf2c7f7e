import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { createTokenVerifier } from '../../src/auth/tokens.js';
import { TSX } from '../helpers/server.js';

const SECRET = 'token-script-secret-0123456789-0123456789';

function runToken(args: string[], env: Record<string, string> = {}) {
  return spawnSync(TSX, ['scripts/token.ts', ...args], {
    env: { PATH: process.env.PATH ?? '', JWT_SECRET: SECRET, ...env },
    encoding: 'utf8',
  });
}

describe('npm run token', () => {
  it('prints a token the gateway accepts, for a customer or an admin', async () => {
    const verify = createTokenVerifier({ kind: 'secret', secret: SECRET });
    const customer = runToken(['--sub', 'customer-42']);
    expect(customer.status).toBe(0);
    expect(await verify(customer.stdout.trim())).toEqual({
      id: 'customer-42',
      roles: [],
      isAdmin: false,
    });
    const admin = runToken(['--sub', 'boss', '--admin']);
    expect((await verify(admin.stdout.trim())).isAdmin).toBe(true);
  });

  it('refuses a missing --sub or an unknown flag with usage and exit code 2', () => {
    for (const args of [[], ['--sub'], ['--sub', 'x', '--bogus']]) {
      const result = runToken(args);
      expect(result.status, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(/usage: npm run token -- --sub ID/);
      expect(result.stdout).toBe('');
    }
  });
});
