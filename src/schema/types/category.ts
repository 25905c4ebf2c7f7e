import type { GraphQLResolveInfo } from 'graphql';
import type { Context } from '../../app/context.js';
import type { Category } from '../../domain/types.js';
import {
  categoryDescription,
  categoryName,
  LIMITS,
  priceCents,
  slug,
} from '../../domain/validation.js';
import { AlreadyExistsError, ValidationError } from '../../errors/domain.js';
import type { CategoryProductsArgs } from '../../repositories/products.js';
import { builder } from '../builder.js';
import { productsBinding } from '../cursor-bindings.js';
import { childFieldArguments, selectsPath } from '../prefetch.js';
import { ProductConnection, ProductSort } from './product.js';

export const CategoryNode = builder.loadableNodeRef<
  Category | Error | null,
  string,
  string,
  string,
  Category
>('Category', {
  id: { resolve: (category) => category.slug },
  load: (slugs, context) => context.repos.categories.getMany(slugs),
});

CategoryNode.implement({
  description: 'A catalog category. Its products are read from GSI1, sorted by price.',
  fields: (t) => ({
    slug: t.exposeString('slug'),
    name: t.exposeString('name'),
    description: t.exposeString('description'),
    productCount: t.exposeInt('productCount', {
      description: 'Kept by the product transactions: never counted by reading the partition.',
    }),
    products: t.field({
      type: ProductConnection,
      description:
        'Access pattern 2: Query GSI1 `GSI1PK = CATEGORY#slug AND GSI1SK BETWEEN` the price bounds.',
      args: {
        minPriceCents: t.arg.int({
          description: `${LIMITS.priceCents.min} to ${LIMITS.priceCents.max}.`,
          validate: priceCents,
        }),
        maxPriceCents: t.arg.int({
          description: `${LIMITS.priceCents.min} to ${LIMITS.priceCents.max}.`,
          validate: priceCents,
        }),
        sort: t.arg({ type: ProductSort, defaultValue: 'PRICE_ASC' }),
        first: t.arg.int({ description: 'Default 20, at most 100.' }),
        after: t.arg.string(),
      },
      resolve: (category, args, context) =>
        context.repos.products.byCategory(
          category.slug,
          args,
          productsBinding(category.slug, args),
        ),
    }),
  }),
});

/**
 * CategoryPage in two rounds, not three. The products Query needs only the slug, which the
 * arguments carry, so it runs first; the category item (whose only use here is its own fields
 * and whether it exists) then rides in the same BatchGetItem as the products' stock, both
 * queued in this tick. Without a `products` selection the category is read as before.
 */
async function readProductsAhead(
  context: Context,
  info: GraphQLResolveInfo,
  categorySlug: string,
): Promise<void> {
  const selected = childFieldArguments(info, 'products');
  if (!selected) return;
  const args = selected.args as CategoryProductsArgs;
  // Bounds the field would refuse: it reports them itself, with nothing read.
  for (const bound of [args.minPriceCents, args.maxPriceCents]) {
    if (bound != null && !priceCents.safeParse(bound).success) return;
  }
  try {
    const page = await context.repos.products.prefetchByCategory(
      categorySlug,
      args,
      productsBinding(categorySlug, args),
    );
    if (selectsPath(selected.nodes, info.fragments, ['edges', 'node', 'stock'])) {
      context.repos.inventory.prefetch(page.edges.map((edge) => edge.node.id));
    }
  } catch {
    // A bad cursor or a failed read: the products field, which takes this page, reports it.
  }
}

builder.queryFields((t) => ({
  categories: t.field({
    type: [CategoryNode],
    description: 'Access pattern 4: Query `PK = CATEGORIES`, in slug order.',
    resolve: (_root, _args, context) => context.repos.categories.all(),
  }),
  category: t.field({
    type: CategoryNode,
    nullable: true,
    description:
      'A category by its slug (GetItem, batched). Null when there is none; a malformed slug is a BAD_USER_INPUT error.',
    args: { slug: t.arg.string({ required: true, validate: slug }) },
    resolve: async (_root, args, context, info) => {
      await readProductsAhead(context, info, args.slug);
      return args.slug;
    },
  }),
}));

const CreateCategoryInput = builder.inputType('CreateCategoryInput', {
  fields: (t) => ({
    slug: t.string({
      required: true,
      description: `Lowercase words joined by hyphens (\`garden-tools\`), ${LIMITS.slug.min} to ${LIMITS.slug.max} characters.`,
      validate: slug,
    }),
    name: t.string({
      required: true,
      description: `${LIMITS.categoryName.min} to ${LIMITS.categoryName.max} characters, trimmed.`,
      validate: categoryName,
    }),
    description: t.string({
      description: `At most ${LIMITS.categoryDescription.max} characters.`,
      validate: categoryDescription,
    }),
  }),
});

builder.mutationFields((t) => ({
  createCategory: t.field({
    type: CategoryNode,
    description: 'Admin. One PutItem IF attribute_not_exists(PK): a slug is taken once.',
    authScopes: { admin: true },
    errors: {
      types: [ValidationError, AlreadyExistsError],
      result: { name: 'CreateCategorySuccess' },
      union: { name: 'CreateCategoryResult' },
      dataField: { name: 'category' },
    },
    args: { input: t.arg({ type: CreateCategoryInput, required: true }) },
    resolve: (_root, { input }, context) => context.repos.categories.create(input),
  }),
}));
