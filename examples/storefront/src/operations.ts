/**
 * Every operation the storefront sends, typed by `npm run codegen` (graphql-codegen's client
 * preset writes ./gql from these texts and schema/schema.graphql).
 */
import { graphql } from './gql';

export const CategoriesQuery = graphql(`
  query StorefrontCategories {
    categories { id slug name productCount }
  }
`);

export const CategoryProductsQuery = graphql(`
  query StorefrontCategory(
    $slug: String!
    $sort: ProductSort
    $maxPriceCents: Int
    $first: Int
    $after: String
  ) {
    category(slug: $slug) {
      id
      slug
      name
      products(sort: $sort, maxPriceCents: $maxPriceCents, first: $first, after: $after) {
        edges { cursor node { id name priceCents currency stock } }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
`);

export const ProductQuery = graphql(`
  query StorefrontProduct($id: ID!, $reviews: Int, $after: String) {
    product(id: $id) {
      id
      name
      description
      priceCents
      currency
      stock
      category { id slug name }
      rating { average count }
      reviews(first: $reviews, after: $after) {
        edges { cursor node { id rating body createdAt author { id name } } }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
`);

/** Live stock: the event carries the product's id, so Apollo's cache updates every view of it. */
export const StockSubscription = graphql(`
  subscription StorefrontStock($productId: ID!) {
    stockChanged(productId: $productId) { id stock }
  }
`);

/** The header's badge and the cart page read the same normalized `Cart`. */
export const ViewerQuery = graphql(`
  query StorefrontViewer {
    me {
      id
      name
      orderCount
      cart {
        id
        totalCents
        items { quantity product { id name priceCents stock } }
      }
    }
  }
`);

export const AddToCartMutation = graphql(`
  mutation StorefrontAddToCart($productId: ID!, $quantity: Int!) {
    addToCart(productId: $productId, quantity: $quantity) {
      __typename
      ... on AddToCartSuccess {
        viewer {
          id
          cart { id totalCents items { quantity product { id name priceCents stock } } }
        }
      }
      ... on Error { message }
    }
  }
`);

export const RemoveFromCartMutation = graphql(`
  mutation StorefrontRemoveFromCart($productId: ID!) {
    removeFromCart(productId: $productId) {
      __typename
      ... on RemoveFromCartSuccess {
        viewer {
          id
          cart { id totalCents items { quantity product { id name priceCents stock } } }
        }
      }
      ... on Error { message }
    }
  }
`);

export const PlaceOrderMutation = graphql(`
  mutation StorefrontPlaceOrder($input: PlaceOrderInput!) {
    placeOrder(input: $input) {
      __typename
      ... on PlaceOrderSuccess {
        order { id status totalCents lines { quantity unitPriceCents product { id name stock } } }
        viewer {
          id
          orderCount
          cart { id totalCents items { quantity product { id name priceCents stock } } }
        }
      }
      ... on OutOfStockError { message productId requested available }
      ... on Error { message }
    }
  }
`);

export const OrderStatusSubscription = graphql(`
  subscription StorefrontOrderStatus($orderId: ID!) {
    orderStatusChanged(orderId: $orderId) { id status }
  }
`);

export const OrderQuery = graphql(`
  query StorefrontOrder($id: ID!) {
    order(id: $id) {
      id
      status
      createdAt
      totalCents
      lines { quantity unitPriceCents productName product { id } }
    }
  }
`);

export const CancelOrderMutation = graphql(`
  mutation StorefrontCancelOrder($orderId: ID!) {
    cancelOrder(orderId: $orderId) {
      __typename
      ... on CancelOrderSuccess { order { id status } viewer { id orderCount } }
      ... on Error { message }
    }
  }
`);
