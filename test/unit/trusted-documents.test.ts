import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/app/config.js';
import {
  loadManifest,
  ManifestError,
  manifestOf,
  sha256Hex,
} from '../../src/app/trusted-documents.js';

/** The manifest loader on real files: what a wrong TRUSTED_DOCUMENTS file stops the start with. */
const dir = mkdtempSync(join(tmpdir(), 'shop-manifest-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

const QUERY = 'query Categories { categories { slug } }';
const bad = {
  missing: join(dir, 'absent.json'),
  notJson: file('not-json.json', '{ "abc": '),
  notAnObject: file('array.json', '[]'),
  wrongHash: file('wrong-hash.json', JSON.stringify({ [sha256Hex('{ other }')]: QUERY })),
  empty: file('empty.json', '{}'),
};

describe('loadManifest', () => {
  it('reads a manifest whose every hash is its text', () => {
    const path = file('good.json', JSON.stringify(manifestOf([QUERY])));
    expect([...loadManifest(path)]).toEqual([[sha256Hex(QUERY), QUERY]]);
  });

  it('refuses a missing file, bad JSON, a non-object, a wrong hash and an empty manifest with a one-line ManifestError', () => {
    const expected: Record<keyof typeof bad, RegExp> = {
      missing: /cannot read .*absent\.json \(ENOENT\)$/,
      notJson: /not-json\.json is not JSON \(/,
      notAnObject: /array\.json is not an object of hash to document$/,
      wrongHash: new RegExp(`${sha256Hex('{ other }')} is not the sha256 of its document$`),
      empty: /empty\.json has no documents$/,
    };
    for (const [kind, path] of Object.entries(bad)) {
      let thrown: unknown;
      try {
        loadManifest(path);
      } catch (error) {
        thrown = error;
      }
      expect(thrown, kind).toBeInstanceOf(ManifestError);
      const message = (thrown as Error).message;
      expect(message, kind).toMatch(/^TRUSTED_DOCUMENTS: /);
      expect(message, kind).toMatch(expected[kind as keyof typeof bad]);
      expect(message, kind).not.toContain('\n');
    }
  });

  it('makes loadConfig throw the ConfigError that entry points print as one line', () => {
    for (const [kind, path] of Object.entries(bad)) {
      expect(() => loadConfig({ TRUSTED_DOCUMENTS: path }), kind).toThrow(ConfigError);
      expect(() => loadConfig({ TRUSTED_DOCUMENTS: path }), kind).toThrow(
        /^Invalid configuration: TRUSTED_DOCUMENTS: /,
      );
    }
  });
});
