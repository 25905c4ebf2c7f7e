import { useQuery } from '@apollo/client/react';
import { CategoriesQuery } from '../operations';
import { href } from '../route';

export function HomePage() {
  const { data, loading, error } = useQuery(CategoriesQuery);
  if (error) return <p role="alert">Could not load the categories: {error.message}</p>;
  if (loading || !data) return <p>Loading…</p>;
  return (
    <section>
      <h1>Categories</h1>
      <ul className="categories">
        {data.categories.map((category) => (
          <li key={category.id}>
            <a href={href.category(category.slug)} data-testid="category">
              {category.name}
            </a>{' '}
            <span className="muted">({category.productCount})</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
