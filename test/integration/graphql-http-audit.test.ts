import { mkdirSync, writeFileSync } from 'node:fs';
import { type AuditResult, serverAudits } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTable, type TestTable } from '../helpers/dynamo.js';
import { type HttpTestServer, startHttpServer } from '../helpers/http-server.js';

/**
 * graphql-http's audit of the GraphQL over HTTP spec, with the real fetch against the real
 * server on 127.0.0.1, as developed and as deployed (NODE_ENV=production: no introspection,
 * no CORS): every MUST and SHOULD passes, and stays so; the MAY results are reported
 * (test-results/graphql-http-audit.md, the production run's) without failing the suite.
 */

let table: TestTable;
const servers: Record<string, HttpTestServer> = {};
const results: AuditResult[] = [];

beforeAll(async () => {
  table = await createTestTable('audit');
  [servers.development, servers.production] = await Promise.all([
    startHttpServer(table),
    startHttpServer(table, { NODE_ENV: 'production' }),
  ]);
});

afterAll(async () => {
  await Promise.all(Object.values(servers).map((server) => server.close()));
  await table?.drop();
  if (results.length === 0) return;
  const level = (name: string) => name.split(' ')[0] ?? '';
  const lines = ['# graphql-http server audit', ''];
  for (const requirement of ['MUST', 'SHOULD', 'MAY']) {
    const mine = results.filter((result) => level(result.name) === requirement);
    const ok = mine.filter((result) => result.status === 'ok').length;
    lines.push(`${requirement}: ${ok}/${mine.length}`);
  }
  lines.push('');
  for (const result of results) {
    lines.push(
      `- ${result.status === 'ok' ? 'ok' : result.status}: ${result.name}${
        result.status === 'ok' ? '' : ` (${result.reason})`
      }`,
    );
  }
  const report = lines.join('\n');
  mkdirSync('test-results', { recursive: true });
  writeFileSync('test-results/graphql-http-audit.md', `${report}\n`);
  console.log(report);
});

describe.each(['development', 'production'])('graphql-http audit (%s)', (mode) => {
  // serverAudits takes a URL function: the server is started after the audits are listed.
  const audits = serverAudits({ url: () => servers[mode]?.url ?? '', fetchFn: fetch });
  for (const audit of audits) {
    const requirement = audit.name.split(' ')[0];
    it(`${audit.id} ${audit.name}`, async () => {
      const result = await audit.fn();
      if (mode === 'production') results.push(result);
      if (requirement === 'MAY') {
        // Reported, not required: a MAY that is not met is a `notice`, never worse.
        expect(['ok', 'notice']).toContain(result.status);
        return;
      }
      expect(
        result.status,
        result.status === 'ok' ? '' : `${result.reason}: HTTP ${result.response.status}`,
      ).toBe('ok');
    });
  }
});
