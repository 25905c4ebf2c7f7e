/**
 * A small seeded PRNG (mulberry32) and helpers: the sample catalog must come out identical for the
 * same seed on every machine, so nothing here may touch Math.random or the clock.
 */
export interface Random {
  /** A float in [0, 1), like Math.random. */
  next(): number;
  /** An integer in [min, max], both inclusive. */
  int(min: number, max: number): number;
  chance(probability: number): boolean;
  pick<T>(values: readonly T[]): T;
  /** Picks by relative weight: `weights[i]` is how likely `values[i]` is. */
  weighted<T>(values: readonly T[], weights: readonly number[]): T;
}

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export function createRandom(seed: number): Random {
  const next = mulberry32(seed);
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  return {
    next,
    int,
    chance: (probability) => next() < probability,
    pick<T>(values: readonly T[]): T {
      if (values.length === 0) throw new RangeError('pick from an empty list');
      return values[int(0, values.length - 1)] as T;
    },
    weighted<T>(values: readonly T[], weights: readonly number[]): T {
      const total = weights.reduce((sum, w) => sum + w, 0);
      let roll = next() * total;
      for (let i = 0; i < values.length; i++) {
        roll -= weights[i] ?? 0;
        if (roll < 0) return values[i] as T;
      }
      return values[values.length - 1] as T;
    },
  };
}
