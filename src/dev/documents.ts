/**
 * The client documents of documents/: the operations the gateway promises its clients, which
 * the tests, the benchmark and the README send by name.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type OperationDefinitionNode, parse, print } from 'graphql';
import { type Manifest, manifestOf } from '../app/trusted-documents.js';

/** The repository root: the nearest folder above this file with a package.json (src or dist). */
function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('no package.json above src/dev/documents');
    dir = parent;
  }
  return dir;
}

export const REPO_ROOT = findRoot();
export const DOCUMENTS_DIR = join(REPO_ROOT, 'documents');
export const DOCUMENT_FILES = ['storefront.graphql', 'admin.graphql'].map((file) =>
  join(DOCUMENTS_DIR, file),
);

export interface DocumentOperation {
  name: string;
  kind: 'query' | 'mutation' | 'subscription';
  /** The operation alone, printed from the document's AST. */
  text: string;
}

/** Every named operation of a GraphQL document, in its order. */
export function parseOperations(source: string): Map<string, DocumentOperation> {
  const operations = new Map<string, DocumentOperation>();
  for (const definition of parse(source).definitions) {
    if (definition.kind !== 'OperationDefinition' || !definition.name) continue;
    const op = definition as OperationDefinitionNode;
    const name = op.name!.value;
    if (operations.has(name)) throw new Error(`operation ${name} is defined twice`);
    operations.set(name, { name, kind: op.operation, text: print(op) });
  }
  return operations;
}

/** The text of documents/, every file joined (one document). */
export function documentsSource(): string {
  return DOCUMENT_FILES.map((file) => readFileSync(file, 'utf8')).join('\n');
}

let cached: Map<string, DocumentOperation> | undefined;

/** Every operation of documents/ (storefront, then admin). */
export function documentOperations(): Map<string, DocumentOperation> {
  cached ??= parseOperations(documentsSource());
  return cached;
}

/** One operation of documents/ by name; throws naming it when there is none. */
export function documentOperation(name: string): DocumentOperation {
  const op = documentOperations().get(name);
  if (!op) throw new Error(`no operation ${name} in documents/`);
  return op;
}

/** The JSON body of a GraphQL POST for an operation, sent with its name. */
export function graphqlBody(op: DocumentOperation, variables: Record<string, unknown>): string {
  return JSON.stringify({ query: op.text, operationName: op.name, variables });
}

/** The trusted-documents manifest of documents/: every operation's text by its sha256. */
export function documentsManifest(): Manifest {
  return manifestOf([...documentOperations().values()].map((op) => op.text));
}

export const MANIFEST_FILE = join(DOCUMENTS_DIR, 'persisted-operations.json');
