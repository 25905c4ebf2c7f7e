/**
 * The HTTP requests the bench commands send for a load scenario: one per variant, with the same
 * body and headers whichever command loads the gateway (or the peer, which takes the same).
 */
import { signDevToken } from '../../auth/tokens.js';
import { type DocumentOperation, graphqlBody } from '../documents.js';
import type { ScenarioVariant } from './roundtrips.js';

export interface ScenarioRequest {
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** A token for every customer the variants act as, signed once each. */
export async function variantTokens(
  variants: Record<string, ScenarioVariant[]>,
  jwtSecret: string,
): Promise<Map<string, string>> {
  const tokens = new Map<string, string>();
  for (const variant of Object.values(variants).flat()) {
    if (variant.customer && !tokens.has(variant.customer)) {
      tokens.set(
        variant.customer,
        await signDevToken(jwtSecret, { sub: variant.customer, expiresIn: '2h' }),
      );
    }
  }
  return tokens;
}

/** `scenario`'s variants as requests to `/graphql` (or to `pathOf(i)` for the i-th variant). */
export function scenarioRequests(
  scenario: string,
  options: {
    variants: Record<string, ScenarioVariant[]>;
    documents: Map<string, DocumentOperation>;
    tokens: Map<string, string>;
    pathOf?: (index: number) => string;
  },
): ScenarioRequest[] {
  const op = options.documents.get(scenario);
  if (!op) throw new Error(`no operation ${scenario}`);
  return (options.variants[scenario] ?? []).map((variant, i) => ({
    path: options.pathOf?.(i) ?? '/graphql',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json',
      ...(variant.customer
        ? { authorization: `Bearer ${options.tokens.get(variant.customer)}` }
        : {}),
    },
    body: graphqlBody(op, variant.variables),
  }));
}
