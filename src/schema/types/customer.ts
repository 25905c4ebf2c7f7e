import type { ObjectFieldBuilder } from '@pothos/core';
import type { GraphQLResolveInfo } from 'graphql';
import type { Context } from '../../app/context.js';
import type { Customer } from '../../domain/types.js';
import { customerName, email, LIMITS, nodeId } from '../../domain/validation.js';
import { AlreadyExistsError, EmailTakenError, ValidationError } from '../../errors/domain.js';
import type { HistoryArgs } from '../../repositories/orders.js';
import { builder } from '../builder.js';
import { ordersBinding } from '../cursor-bindings.js';
import { childFieldArguments, selectsField } from '../prefetch.js';
import { viewerOf } from '../viewer.js';

export const CustomerNode = builder.loadableNodeRef<
  Customer | Error | null,
  string,
  string,
  string,
  Customer
>('Customer', {
  id: { resolve: (customer) => customer.id },
  load: (ids, context) => context.repos.customers.getMany(ids),
});

CustomerNode.implement({
  description:
    'A customer profile. `name` is public (review authors); the rest is for the customer and admins.',
  fields: (t) => ({
    name: t.exposeString('name'),
    email: t.exposeString('email', { authScopes: (customer) => ({ owner: customer.id }) }),
    orderCount: t.exposeInt('orderCount', {
      authScopes: (customer) => ({ owner: customer.id }),
      description: 'Kept by the order transaction.',
    }),
    createdAt: t.expose('createdAt', {
      type: 'DateTime',
      authScopes: (customer) => ({ owner: customer.id }),
    }),
  }),
});

const CreateProfileInput = builder.inputType('CreateProfileInput', {
  fields: (t) => ({
    name: t.string({
      required: true,
      description: `${LIMITS.customerName.min} to ${LIMITS.customerName.max} characters, trimmed.`,
      validate: customerName,
    }),
    email: t.string({
      required: true,
      description: `Unique across customers, compared case-insensitively; at most ${LIMITS.email.max} characters, trimmed.`,
      validate: email,
    }),
  }),
});

/**
 * Me in two rounds, not three: the cart and orders Queries need only the viewer's id, so they
 * start with the profile's read instead of after it; the lines' products then load together.
 */
function readViewerListsAhead(context: Context, info: GraphQLResolveInfo, viewerId: string): void {
  if (selectsField(info, 'cart')) context.repos.carts.prefetchLines(viewerId);
  const orders = childFieldArguments(info, 'orders');
  if (!orders) return;
  const args = orders.args as HistoryArgs;
  context.repos.orders.prefetchHistory(viewerId, args, ordersBinding(context, viewerId, args));
}

builder.queryFields((t) => ({
  me: t.field({
    type: CustomerNode,
    nullable: true,
    authScopes: { customer: true },
    description:
      "The viewer's profile (access pattern 6, a consistent read): null until createProfile.",
    resolve: (_root, _args, context, info) => {
      const viewerId = viewerOf(context).id;
      readViewerListsAhead(context, info, viewerId);
      return context.repos.customers.getOwn(viewerId);
    },
  }),
  customer: t.field({
    type: CustomerNode,
    nullable: true,
    authScopes: { admin: true },
    description: 'A customer by global id (admins only). Null when there is none.',
    args: { id: t.arg.globalID({ required: true, for: CustomerNode, validate: nodeId }) },
    resolve: (_root, args) => args.id.id,
  }),
}));

builder.mutationFields((t) => ({
  createProfile: t.field({
    type: CustomerNode,
    authScopes: { customer: true },
    description:
      "Creates the viewer's profile (the customer id is the token's subject) and claims its email, in one transaction.",
    args: { input: t.arg({ type: CreateProfileInput, required: true }) },
    errors: {
      types: [ValidationError, EmailTakenError, AlreadyExistsError],
      result: { name: 'CreateProfileSuccess' },
      union: { name: 'CreateProfileResult' },
      dataField: { name: 'customer' },
    },
    // The input arrives checked and trimmed by its fields' rules.
    resolve: (_root, { input }, context) =>
      context.repos.customers.create({
        id: viewerOf(context).id,
        name: input.name,
        email: input.email,
        orderCount: 0,
        createdAt: new Date().toISOString(),
      }),
  }),
}));

type ShopTypes = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T> ? T : never;

/**
 * `viewer` on the success result of a mutation that changes the viewer's cart or orders: the
 * profile as it is after the change (a consistent read), so a normalized client cache (Apollo,
 * urql's graphcache) updates `me` and `me.cart` from the mutation's answer, without a refetch.
 */
export function viewerAfterChange<Shape>(t: ObjectFieldBuilder<ShopTypes, Shape>) {
  return t.field({
    type: CustomerNode,
    nullable: true,
    description:
      "The viewer's profile after this change (as `me` reads it): select `cart`, `orderCount` or `orders` to refresh a client cache. Null until createProfile.",
    resolve: (_result, _args, context) => context.repos.customers.getOwn(viewerOf(context).id),
  });
}
