import { useQuery } from '@apollo/client/react';
import { useEffect, useRef, useState } from 'react';
import type { ProductSort } from '../gql/graphql';
import { money } from '../money';
import { CategoryProductsQuery } from '../operations';
import { href } from '../route';

const PAGE_SIZE = 8;

/**
 * A category by price, one page of the cursor at a time: when the end of the list scrolls into
 * view, fetchMore asks for the page after `endCursor` and relayStylePagination appends it.
 */
export function CategoryPage({ slug }: { slug: string }) {
  const [sort, setSort] = useState<ProductSort>('PRICE_ASC');
  const [maxPrice, setMaxPrice] = useState('');
  const maxPriceCents = maxPrice === '' ? undefined : Math.round(Number(maxPrice) * 100);
  const { data, error, loading, fetchMore } = useQuery(CategoryProductsQuery, {
    variables: { slug, sort, maxPriceCents, first: PAGE_SIZE },
    notifyOnNetworkStatusChange: true,
  });
  const category = data?.category;
  const pageInfo = category?.products.pageInfo;
  const end = useInfiniteScroll(pageInfo?.hasNextPage ? pageInfo.endCursor : null, (after) =>
    fetchMore({ variables: { after } }),
  );

  if (error) return <p role="alert">Could not load the category: {error.message}</p>;
  if (!data && loading) return <p>Loading…</p>;
  if (!category) return <p>No such category.</p>;
  return (
    <section>
      <h1>{category.name}</h1>
      <form className="filters" onSubmit={(event) => event.preventDefault()}>
        <label>
          Sort{' '}
          <select
            value={sort}
            onChange={(event) => setSort(event.target.value as ProductSort)}
            data-testid="sort"
          >
            <option value="PRICE_ASC">Price, low to high</option>
            <option value="PRICE_DESC">Price, high to low</option>
          </select>
        </label>
        <label>
          Up to ${' '}
          <input
            type="number"
            min="0"
            step="1"
            value={maxPrice}
            onChange={(event) => setMaxPrice(event.target.value)}
            data-testid="max-price"
          />
        </label>
      </form>
      <ol className="products">
        {category.products.edges.map(({ node }) => (
          <li key={node.id} className="product" data-testid="product">
            <a href={href.product(node.id)}>{node.name}</a>
            <span className="price" data-cents={node.priceCents}>
              {money(node.priceCents, node.currency)}
            </span>
            <span className="muted">{node.stock > 0 ? `${node.stock} in stock` : 'sold out'}</span>
          </li>
        ))}
      </ol>
      <div ref={end} data-testid="list-end">
        {pageInfo?.hasNextPage ? (loading ? 'Loading more…' : '') : 'End of the category'}
      </div>
    </section>
  );
}

/** Calls `loadMore(cursor)` once per cursor, whenever the returned element is in view. */
function useInfiniteScroll(cursor: string | null, loadMore: (after: string) => Promise<unknown>) {
  const end = useRef<HTMLDivElement>(null);
  const requested = useRef<string | null>(null);
  useEffect(() => {
    const element = end.current;
    if (!element || !cursor) return;
    const observer = new IntersectionObserver((entries) => {
      if (!entries.some((entry) => entry.isIntersecting) || requested.current === cursor) return;
      requested.current = cursor;
      loadMore(cursor).catch(() => {
        requested.current = null; // lets the next scroll try again
      });
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, [cursor, loadMore]);
  return end;
}
