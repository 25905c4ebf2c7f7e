/**
 * The peer's SDL, by hand: exactly what ProductPage, CategoryPage, Featured and Me select, with
 * the type and field names (and argument types) of schema/schema.graphql, so that the same
 * query texts validate against both.
 */
export const typeDefs = /* GraphQL */ `
  scalar DateTime

  interface Node {
    id: ID!
  }

  enum ProductSort {
    PRICE_ASC
    PRICE_DESC
  }

  enum OrderStatus {
    CANCELLED
    DELIVERED
    PAID
    PENDING
    SHIPPED
  }

  type Query {
    product(id: ID!): Product
    category(slug: String!): Category
    featuredProducts(after: String, first: Int): ProductConnection!
    me: Customer
  }

  type Product implements Node {
    id: ID!
    name: String!
    description: String!
    priceCents: Int!
    currency: String!
    stock: Int!
    featured: Boolean!
    version: Int!
    category: Category
    rating: ProductRating!
    reviews(after: String, first: Int): ReviewConnection!
  }

  type ProductRating {
    average: Float
    count: Int!
  }

  type Category implements Node {
    id: ID!
    slug: String!
    name: String!
    products(
      after: String
      first: Int
      maxPriceCents: Int
      minPriceCents: Int
      sort: ProductSort = PRICE_ASC
    ): ProductConnection!
  }

  type Review implements Node {
    id: ID!
    rating: Int!
    body: String!
    createdAt: DateTime!
    author: Customer
  }

  type Customer implements Node {
    id: ID!
    name: String!
    email: String!
    orderCount: Int!
    cart: Cart!
    orders(after: String, first: Int): OrderConnection!
  }

  type Cart {
    items: [CartItem!]!
    totalCents: Int!
    expiresAt: DateTime
  }

  type CartItem {
    quantity: Int!
    product: Product
  }

  type Order implements Node {
    id: ID!
    status: OrderStatus!
    createdAt: DateTime!
    totalCents: Int!
    lines: [OrderLine!]!
  }

  type OrderLine {
    quantity: Int!
    unitPriceCents: Int!
    product: Product
  }

  type PageInfo {
    hasNextPage: Boolean!
    endCursor: String
  }

  type ProductConnection {
    edges: [ProductEdge!]!
    pageInfo: PageInfo!
  }

  type ProductEdge {
    cursor: String!
    node: Product!
  }

  type ReviewConnection {
    edges: [ReviewEdge!]!
    pageInfo: PageInfo!
  }

  type ReviewEdge {
    cursor: String!
    node: Review!
  }

  type OrderConnection {
    edges: [OrderEdge!]!
    pageInfo: PageInfo!
  }

  type OrderEdge {
    cursor: String!
    node: Order!
  }
`;
