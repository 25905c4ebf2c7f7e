import { hashSHA256 } from '@graphql-yoga/plugin-response-cache';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/app/trusted-documents.js';

describe('the response cache key', () => {
  // Replicas of two versions share Redis during a rolling deploy: the keys must not change.
  it("is the same hex digest as the plugin's own hashSHA256, for any text", async () => {
    const texts = [
      '',
      'query Featured($first: Int) { featuredProducts(first: $first) { edges { cursor } } }|Featured|{"first":20}',
      'Crème brûlée, 抹茶, 🚀: not ASCII|Q|{"q":"ü"}',
      'x'.repeat(100_000),
    ];
    for (const text of texts) {
      expect(sha256Hex(text)).toBe(await hashSHA256(text));
    }
  });
});
