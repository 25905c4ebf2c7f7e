import { readFileSync } from 'node:fs';
import { generate } from '@graphql-codegen/cli';
import { describe, expect, it } from 'vitest';
import config from '../../codegen.js';

describe('schema/possible-types.json', () => {
  it('is what `npm run codegen` generates from the committed schema', async () => {
    const [output] = await generate({ ...config, cwd: process.cwd(), silent: true }, false);
    const committed = readFileSync(
      new URL('../../schema/possible-types.json', import.meta.url),
      'utf8',
    );
    expect(output?.filename).toBe('schema/possible-types.json');
    expect(JSON.parse(committed)).toEqual(JSON.parse(output?.content ?? '{}'));
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
