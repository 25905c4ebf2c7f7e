import { readFileSync } from 'node:fs';
import { generate } from '@graphql-codegen/cli';
import { describe, expect, it } from 'vitest';
import config from '../../codegen.js';

describe('npm run codegen', () => {
  it('wrote what it generates from the committed schema and documents (nothing is stale)', async () => {
    const outputs: Array<{ filename: string; content: string }> = await generate(
      { ...config, cwd: process.cwd(), silent: true },
      false,
    );
    const files = outputs.map((output) => output.filename).sort();
    expect(files).toEqual([
      'examples/storefront/src/gql/gql.ts',
      'examples/storefront/src/gql/graphql.ts',
      'examples/storefront/src/gql/index.ts',
      'schema/possible-types.json',
    ]);
    for (const output of outputs) {
      const committed = readFileSync(new URL(`../../${output.filename}`, import.meta.url), 'utf8');
      if (output.filename.endsWith('.json')) {
        expect(JSON.parse(committed), output.filename).toEqual(JSON.parse(output.content));
      } else {
        expect(committed, `${output.filename}: run npm run codegen`).toBe(output.content);
      }
    }
  });

  it('lists every member of the Error interface and of each mutation result union', () => {
    const { possibleTypes } = JSON.parse(
      readFileSync(new URL('../../schema/possible-types.json', import.meta.url), 'utf8'),
    ) as { possibleTypes: Record<string, string[]> };
    expect(possibleTypes.Error).toEqual(
      expect.arrayContaining(['NotFoundError', 'ValidationError']),
    );
    expect(possibleTypes.AddToCartResult).toEqual(
      expect.arrayContaining(['AddToCartSuccess', 'NotFoundError', 'ValidationError']),
    );
  });
});
