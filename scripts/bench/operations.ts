import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type OperationDefinitionNode, parse, print } from 'graphql';
import { ROOT } from './processes.js';

export const CONTRACT_PATH = join(ROOT, '..', 'shared', 'contract', 'storefront.graphql');

export interface ContractOperation {
  name: string;
  kind: 'query' | 'mutation' | 'subscription';
  /** The operation verbatim (printed from the contract's AST). */
  text: string;
}

/** Every named operation of the storefront contract, in the contract's order. */
export function contractOperations(path = CONTRACT_PATH): Map<string, ContractOperation> {
  const document = parse(readFileSync(path, 'utf8'));
  const operations = new Map<string, ContractOperation>();
  for (const definition of document.definitions) {
    if (definition.kind !== 'OperationDefinition' || !definition.name) continue;
    const op = definition as OperationDefinitionNode;
    operations.set(op.name!.value, { name: op.name!.value, kind: op.operation, text: print(op) });
  }
  return operations;
}

/** The JSON body of a GraphQL POST for a contract operation. */
export function graphqlBody(op: ContractOperation, variables: Record<string, unknown>): string {
  return JSON.stringify({ query: op.text, operationName: op.name, variables });
}
