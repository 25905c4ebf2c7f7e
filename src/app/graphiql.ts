import type { YogaServerOptions } from 'graphql-yoga';
import type { Config } from './config.js';

const DEFAULT_QUERY = `# Welcome to the shop gateway. Try the catalog:
query Categories {
  categories { id slug name productCount }
}
`;

/** GraphiQL outside production, served with its JS and CSS inlined. */
export function graphiqlOptions(
  config: Pick<Config, 'isProduction'>,
): Pick<YogaServerOptions<object, object>, 'graphiql' | 'renderGraphiQL'> {
  return {
    graphiql: config.isProduction ? false : { title: 'Shop gateway', defaultQuery: DEFAULT_QUERY },
    // Yoga's default page loads GraphiQL's JS and CSS from unpkg.com, which a machine without
    // internet cannot reach; this renderer inlines them, imported on first use only.
    renderGraphiQL: async (options) =>
      (await import('@graphql-yoga/render-graphiql')).renderGraphiQL(options),
  };
}
