import { readFileSync } from 'node:fs';
import { type DocumentNode, type OperationDefinitionNode, parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { documentsSource } from '../../src/dev/documents.js';
import { schema } from '../../src/schema/index.js';
import { printSchemaSDL } from '../../src/schema/print.js';

/**
 * Operations of documents/ that the schema does not serve yet. Later issues empty this list;
 * the test fails when an operation listed here starts to validate (so the list stays honest).
 */
const PENDING = new Set<string>([]);

/** graphql's validate() ignores an operation whose root type is missing (no Subscription yet). */
function problems(document: DocumentNode, op: OperationDefinitionNode): string[] {
  if (!schema.getRootType(op.operation)) return [`the schema has no ${op.operation} type`];
  return validate(schema, document).map((e) => e.message);
}

function operations(document: DocumentNode): OperationDefinitionNode[] {
  return document.definitions.filter(
    (d): d is OperationDefinitionNode => d.kind === 'OperationDefinition',
  );
}

describe('schema/schema.graphql', () => {
  it('is what `npm run schema` prints from the code (run it and commit when this fails)', () => {
    const committed = readFileSync(new URL('../../schema/schema.graphql', import.meta.url), 'utf8');
    expect(committed).toBe(printSchemaSDL());
  });
});

describe('the client documents (documents/)', () => {
  const document = parse(documentsSource());
  const ops = operations(document);

  it('has the operations this test knows of', () => {
    expect(ops.length).toBe(23);
  });

  for (const op of ops) {
    const name = op.name?.value ?? '(anonymous)';
    const single: DocumentNode = { kind: document.kind, definitions: [op] };
    if (PENDING.has(name)) {
      it(`${name} is pending: it does not validate yet`, () => {
        expect(problems(single, op).length).toBeGreaterThan(0);
      });
    } else {
      it(`${name} validates against the schema`, () => {
        expect(problems(single, op)).toEqual([]);
      });
    }
  }
});
