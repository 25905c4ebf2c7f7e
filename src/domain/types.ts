/** Plain data shapes of the domain, kept apart from the GraphQL schema that binds them. */

export interface Category {
  slug: string;
  name: string;
  description: string;
  productCount: number;
  createdAt: string;
}

export interface Product {
  id: string;
  name: string;
  description: string;
  priceCents: number;
  currency: string;
  categorySlug: string;
  featured: boolean;
  version: number;
  ratingCount: number;
  ratingSum: number;
  createdAt: string;
  updatedAt: string;
}

export interface Inventory {
  productId: string;
  stock: number;
  updatedAt: string;
}

export interface Review {
  id: string;
  productId: string;
  customerId: string;
  rating: number;
  body: string;
  createdAt: string;
}

export interface Customer {
  id: string;
  name: string;
  email: string;
  orderCount: number;
  createdAt: string;
}
