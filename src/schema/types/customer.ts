import { AlreadyExistsError, EmailTakenError, ValidationError } from '../../domain/errors.js';
import type { Customer } from '../../domain/types.js';
import { builder } from '../builder.js';
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

export const MAX_NAME_LENGTH = 100;
/** RFC 5321's limit on a forward path. */
export const MAX_EMAIL_LENGTH = 254;
/** Deliberately loose: one @, something before it, a dotted domain, no spaces. */
const EMAIL = /^[^\s@]{1,64}@[^\s@.]+(\.[^\s@.]+)+$/;

/** Checks and normalizes the profile input; throws ValidationError naming the field. */
export function validProfile(input: { name: string; email: string }): {
  name: string;
  email: string;
} {
  const name = input.name.trim();
  const length = [...name].length;
  if (length < 1 || length > MAX_NAME_LENGTH) {
    throw new ValidationError('input.name', `must be 1 to ${MAX_NAME_LENGTH} characters`);
  }
  const email = input.email.trim();
  if (email.length > MAX_EMAIL_LENGTH) {
    throw new ValidationError('input.email', `must be at most ${MAX_EMAIL_LENGTH} characters`);
  }
  if (!EMAIL.test(email)) {
    throw new ValidationError('input.email', 'is not an email address');
  }
  return { name, email };
}

const CreateProfileInput = builder.inputType('CreateProfileInput', {
  fields: (t) => ({
    name: t.string({ required: true, description: `1 to ${MAX_NAME_LENGTH} characters, trimmed.` }),
    email: t.string({
      required: true,
      description: `Unique across customers, compared case-insensitively; at most ${MAX_EMAIL_LENGTH} characters.`,
    }),
  }),
});

builder.queryFields((t) => ({
  me: t.field({
    type: CustomerNode,
    nullable: true,
    authScopes: { customer: true },
    description:
      "The viewer's profile (access pattern 6, a consistent read): null until createProfile.",
    resolve: (_root, _args, context) => context.repos.customers.getOwn(viewerOf(context).id),
  }),
  customer: t.field({
    type: CustomerNode,
    nullable: true,
    authScopes: { admin: true },
    description: 'A customer by global id (admins only). Null when there is none.',
    args: { id: t.arg.globalID({ required: true, for: CustomerNode }) },
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
    resolve: (_root, args, context) => {
      const { name, email } = validProfile(args.input);
      return context.repos.customers.create({
        id: viewerOf(context).id,
        name,
        email,
        orderCount: 0,
        createdAt: new Date().toISOString(),
      });
    },
  }),
}));
