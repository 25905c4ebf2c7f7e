/**
 * Features the benchmark switches off one at a time, to measure what each costs against the
 * hand-written peer (scripts/bench/gateway-ablated.ts, `npm run bench:features`). The production
 * and development entry points never pass any: every feature is always on there.
 */
export const ABLATIONS = [
  'query-limits',
  'telemetry',
  'error-masking',
  'http-caching',
  'persisted-queries',
  'subscription-transports',
  'cursor-mac',
  'consumed-capacity',
  'stream-reader',
] as const;

export type Ablation = (typeof ABLATIONS)[number];
export type Ablations = ReadonlySet<Ablation>;

export function parseAblations(list: string | undefined): Ablations {
  const names = (list ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  for (const name of names) {
    if (!(ABLATIONS as readonly string[]).includes(name)) {
      throw new Error(`unknown feature "${name}": one of ${ABLATIONS.join(', ')}`);
    }
  }
  return new Set(names as Ablation[]);
}
