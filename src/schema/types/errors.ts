import { encodeGlobalID } from '@pothos/plugin-relay';
import {
  AlreadyExistsError,
  AlreadyReviewedError,
  EmailTakenError,
  IdempotencyKeyReusedError,
  InvalidTransitionError,
  NotFoundError,
  OrderOutcomeUnknownError,
  OutOfStockError,
  ValidationError,
  VersionConflictError,
} from '../../errors/domain.js';
import { builder } from '../builder.js';
import { OrderStatusEnum } from './order-status.js';

export const ErrorInterface = builder.interfaceRef<Error>('Error').implement({
  description: 'Every failure a user can cause is an object implementing Error, in a result union.',
  fields: (t) => ({ message: t.exposeString('message') }),
});

builder.objectType(ValidationError, {
  name: 'ValidationError',
  description: 'An input value is not acceptable; `field` names it.',
  interfaces: [ErrorInterface],
  fields: (t) => ({ field: t.exposeString('field') }),
});

builder.objectType(NotFoundError, {
  name: 'NotFoundError',
  interfaces: [ErrorInterface],
  fields: (t) => ({ entity: t.exposeString('entity') }),
});

builder.objectType(OutOfStockError, {
  name: 'OutOfStockError',
  description: 'Which product, how many were asked and how many are left.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    productId: t.id({ resolve: (error) => encodeGlobalID('Product', error.productId) }),
    requested: t.exposeInt('requested'),
    available: t.exposeInt('available'),
  }),
});

builder.objectType(VersionConflictError, {
  name: 'VersionConflictError',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    currentVersion: t.exposeInt('currentVersion'),
    expectedVersion: t.exposeInt('expectedVersion'),
  }),
});

builder.objectType(InvalidTransitionError, {
  name: 'InvalidTransitionError',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    from: t.field({ type: OrderStatusEnum, resolve: (error) => error.from as never }),
    to: t.field({ type: OrderStatusEnum, resolve: (error) => error.to as never }),
  }),
});

builder.objectType(EmailTakenError, {
  name: 'EmailTakenError',
  interfaces: [ErrorInterface],
  fields: (t) => ({ email: t.exposeString('email') }),
});

builder.objectType(IdempotencyKeyReusedError, {
  name: 'IdempotencyKeyReusedError',
  interfaces: [ErrorInterface],
  fields: (t) => ({ idempotencyKey: t.exposeString('idempotencyKey') }),
});

builder.objectType(AlreadyReviewedError, {
  name: 'AlreadyReviewedError',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    productId: t.id({ resolve: (error) => encodeGlobalID('Product', error.productId) }),
  }),
});

builder.objectType(AlreadyExistsError, {
  name: 'AlreadyExistsError',
  interfaces: [ErrorInterface],
  fields: (t) => ({ entity: t.exposeString('entity') }),
});

builder.objectType(OrderOutcomeUnknownError, {
  name: 'OrderOutcomeUnknownError',
  description:
    'The database did not confirm whether the order was placed. Retry with the same `idempotencyKey` (never a new one): that returns the order if it was placed, and places it once if it was not.',
  interfaces: [ErrorInterface],
  fields: (t) => ({ idempotencyKey: t.exposeString('idempotencyKey') }),
});
