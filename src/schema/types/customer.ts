import type { Customer } from '../../domain/types.js';
import { builder } from '../builder.js';

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
