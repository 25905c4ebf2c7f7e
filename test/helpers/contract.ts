import { contractOperations, graphqlBody } from '../../scripts/bench/operations.js';

const operations = contractOperations();

// biome-ignore lint/suspicious/noExplicitAny: contract responses are checked field by field
export type ContractData = any;

/** The JSON body that sends the contract's operation `name` verbatim, with its variables. */
export function contractBody(name: string, variables: Record<string, unknown> = {}): string {
  const op = operations.get(name);
  if (!op) throw new Error(`no operation ${name} in the contract`);
  return graphqlBody(op, variables);
}

/**
 * POSTs the contract's operation `name` to `url` (a GraphQL endpoint) as a client would, and
 * returns its data; a non-200 answer or any error fails with the whole response.
 */
export async function runContract(
  url: string,
  name: string,
  variables: Record<string, unknown> = {},
  token?: string,
): Promise<ContractData> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: contractBody(name, variables),
  });
  const body = (await response.json()) as { data?: ContractData; errors?: unknown[] };
  if (response.status !== 200 || body.errors) {
    throw new Error(`${name} failed (HTTP ${response.status}): ${JSON.stringify(body, null, 2)}`);
  }
  return body.data;
}

/** The names of every operation in the contract. */
export function contractOperationNames(): string[] {
  return [...operations.keys()];
}
