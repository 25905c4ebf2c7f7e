import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { AuthError, ClientError, CursorError } from '../../src/errors/client.js';
import { NotFoundError, OutOfStockError, ValidationError } from '../../src/errors/domain.js';
import { ShedError, WriteOutcomeUnknownError } from '../../src/errors/store.js';
import {
  INTERNAL_ERROR_MESSAGE,
  OUTCOME_UNKNOWN_MESSAGE,
  SHED_MESSAGE,
  toClientError,
  UNAVAILABLE_MESSAGE,
} from '../../src/errors/to-graphql.js';

import { isUnavailableError } from '../../src/store/unavailable.js';

const located = (original?: Error) =>
  new GraphQLError(original?.message ?? 'Cannot query field "x"', {
    path: ['a', 0, 'b'],
    ...(original ? { originalError: original } : {}),
  });

describe('toClientError', () => {
  it('a shed call is 503 with its Retry-After, says nothing was changed, and is not logged', () => {
    const report = toClientError(located(new ShedError(4, 'deadline')), 'r1');
    expect(report.cause).toBeUndefined();
    expect(report.error.message).toBe(SHED_MESSAGE);
    expect(report.error.message).toMatch(/nothing was changed/);
    expect(report.error.extensions).toEqual({
      code: 'SERVICE_UNAVAILABLE',
      requestId: 'r1',
      http: { status: 503, headers: { 'retry-after': '4' } },
    });
  });

  it('a write of unknown outcome is OUTCOME_UNKNOWN, never an invitation to try again, and is logged', () => {
    const original = new WriteOutcomeUnknownError('UpdateItem', new Error('socket hang up'));
    const report = toClientError(located(original), 'r1');
    expect(report.cause).toBe(original);
    expect(report.error.message).toBe(OUTCOME_UNKNOWN_MESSAGE);
    expect(report.error.message).not.toMatch(/try again shortly/);
    expect(report.error.extensions).toEqual({ code: 'OUTCOME_UNKNOWN', requestId: 'r1' });
  });

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

  it('maps an unreachable or overloaded database to SERVICE_UNAVAILABLE with HTTP 503, keeping the cause for the log', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8000'), {
      code: 'ECONNREFUSED',
    });
    const timeout = Object.assign(new Error('Connection timed out after 1000 ms'), {
      name: 'TimeoutError',
    });
    const hangUp = new Error('socket hang up');
    const wrapped = new Error('batch failed', { cause: refused });
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    for (const cause of [refused, timeout, hangUp, wrapped, throttled]) {
      expect(isUnavailableError(cause)).toBe(true);
      const report = toClientError(located(cause), 'req-7');
      expect(report.error.message).toBe(UNAVAILABLE_MESSAGE);
      expect(report.error.extensions.code).toBe('SERVICE_UNAVAILABLE');
      expect(report.error.extensions.requestId).toBe('req-7');
      expect(report.error.extensions.http).toEqual({
        status: 503,
        headers: { 'retry-after': '1' },
      });
      expect(report.error.message).not.toContain('127.0.0.1');
      expect(report.cause).toBe(cause);
    }
    // A failed condition or a bug is not an outage.
    for (const other of [
      Object.assign(new Error('The conditional request failed'), {
        name: 'ConditionalCheckFailedException',
      }),
      new TypeError('x is undefined'),
    ]) {
      expect(isUnavailableError(other)).toBe(false);
      expect(toClientError(located(other), 'r').error.extensions.code).toBe(
        'INTERNAL_SERVER_ERROR',
      );
    }
  });
});
