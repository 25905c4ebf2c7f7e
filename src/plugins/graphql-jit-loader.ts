/**
 * graphql-jit 0.8.7, loaded with a weak cache under its `joinOriginPaths`.
 *
 * 0.8.7 memoizes `joinOriginPaths` with lodash.memoize, keyed by the path array, in a module-level
 * Map: every compilation makes new arrays, so each one stays in that Map, with its joined string,
 * for the life of the process (zalando-incubator/graphql-jit#287), without bound, since any
 * client can send documents the parse cache has not seen. 0.8.9 removed the cache (#288), but since 0.8.8 every resolver
 * call goes through a runtime helper that takes three closures, which costs CPU on every
 * field of every request.
 *
 * So 0.8.7 stays, pinned, and lodash.memoize makes that one cache a WeakMap: an entry then lives
 * as long as its path array, which is what the memo is for (the same array within one
 * compilation). `memoize.Cache` is read when a memoized function is made, which graphql-jit
 * does as it loads; it is set for that load only, from graphql-jit's own lodash.memoize.
 */
import { createRequire } from 'node:module';
import type * as GraphqlJit from 'graphql-jit';

const require = createRequire(import.meta.url);
const executionModule = require.resolve('graphql-jit/dist/execution.js');
/** Set once this module has loaded graphql-jit (it may be evaluated again, in tests). */
const LOADED_HERE = Symbol.for('shop-gateway.graphql-jit.weak-cache');
const loadedHere = globalThis as { [LOADED_HERE]?: boolean };
if (require.cache[executionModule] && !loadedHere[LOADED_HERE]) {
  throw new Error(
    'graphql-jit was loaded before src/plugins/graphql-jit-loader.ts: import it from there only',
  );
}
const memoize = createRequire(executionModule)('lodash.memoize') as { Cache?: unknown };
const previousCache = memoize.Cache;
memoize.Cache = WeakMap;
let jit: typeof GraphqlJit;
try {
  jit = require('graphql-jit') as typeof GraphqlJit;
  loadedHere[LOADED_HERE] = true;
} finally {
  memoize.Cache = previousCache;
}

export type { CompiledQuery } from 'graphql-jit';
export const { compileQuery, isCompiledQuery } = jit;
