/** `npm run token -- --sub ID [--admin] [--expires 12h]`: a bearer token for local use. */
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../src/app/config.js';
import { signDevToken } from '../src/auth/tokens.js';

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

let values: { sub?: string; admin?: boolean; expires?: string };
try {
  ({ values } = parseArgs({
    options: {
      sub: { type: 'string' },
      admin: { type: 'boolean', default: false },
      expires: { type: 'string', default: '12h' },
    },
  }));
} catch (error) {
  fail(`${(error as Error).message}\nusage: npm run token -- --sub ID [--admin] [--expires 12h]`);
}
if (!values.sub) fail('usage: npm run token -- --sub ID [--admin] [--expires 12h]');

try {
  const config = loadConfig();
  if (config.jwt.kind !== 'secret') {
    fail('JWKS_URL is set: tokens come from your identity provider, not from this script');
  }
  const token = await signDevToken(config.jwt.secret, {
    sub: values.sub,
    admin: values.admin ?? false,
    expiresIn: values.expires ?? '12h',
    ...(config.jwt.issuer ? { issuer: config.jwt.issuer } : {}),
    ...(config.jwt.audience ? { audience: config.jwt.audience } : {}),
  });
  console.log(token);
} catch (error) {
  if (error instanceof ConfigError) fail(error.message);
  throw error;
}
