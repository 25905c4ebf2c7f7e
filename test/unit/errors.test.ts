import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { NotFoundError, OutOfStockError, ValidationError } from '../../src/domain/errors.js';
import { CursorError } from '../../src/dynamo/cursor.js';
import { AuthError, ClientError } from '../../src/errors.js';
import { INTERNAL_ERROR_MESSAGE, toClientError } from '../../src/graphql-errors.js';

const located = (original?: Error) =>
  new GraphQLError(original?.message ?? 'Cannot query field "x"', {
    path: ['a', 0, 'b'],
    ...(original ? { originalError: original } : {}),
  });

describe('toClientError', () => {
  it('passes GraphQL validation and syntax errors as they are', () => {
    const error = located();
    expect(toClientError(error, 'r1')).toEqual({ error });
  });

  it('keeps the message of errors the client caused and adds their code', () => {
    for (const [original, code] of [
      [new CursorError(), 'BAD_CURSOR'],
      [new ClientError('first must be between 0 and 100'), 'BAD_USER_INPUT'],
      [new AuthError('Token expired'), 'UNAUTHENTICATED'],
    ] as const) {
      const report = toClientError(located(original), 'r1');
      expect(report.cause).toBeUndefined();
      expect(report.error.message).toBe(original.message);
      expect(report.error.extensions.code).toBe(code);
      expect(report.error.path).toEqual(['a', 0, 'b']);
    }
  });

  it('gives domain errors that no result union took a client code, never INTERNAL_SERVER_ERROR', () => {
    // A query argument's ValidationError: a GraphQL error naming the field, with the field.
    const invalid = toClientError(located(new ValidationError('slug', 'must be lowercase')), 'r1');
    expect(invalid.cause).toBeUndefined();
    expect(invalid.error.message).toBe('slug: must be lowercase');
    expect(invalid.error.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'slug' });
    expect(invalid.error.path).toEqual(['a', 0, 'b']);
    for (const [original, code] of [
      [new NotFoundError('Product', 'p1'), 'NOT_FOUND'],
      [new OutOfStockError('p1', 5, 2), 'BAD_USER_INPUT'],
    ] as const) {
      const report = toClientError(located(original), 'r1');
      expect(report.cause).toBeUndefined();
      expect(report.error.message).toBe(original.message);
      expect(report.error.extensions).toEqual({ code });
    }
  });

  it('treats GraphQL errors from schema plugins (wrong id type) as input errors', () => {
    const report = toClientError(located(new GraphQLError('ID is not of type Product')), 'r1');
    expect(report.error.extensions.code).toBe('BAD_USER_INPUT');
    expect(report.error.message).toBe('ID is not of type Product');
  });

  it('masks anything else: a code and the request id for the client, the cause for the log', () => {
    const cause = new Error('ECONNREFUSED 127.0.0.1:8000 table Shop secret stuff');
    const report = toClientError(located(cause), 'req-42');
    expect(report.error.message).toBe(INTERNAL_ERROR_MESSAGE);
    expect(report.error.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR', requestId: 'req-42' });
    expect(JSON.stringify(report.error.toJSON())).not.toContain('ECONNREFUSED');
    expect(report.cause).toBe(cause);
  });
});
