/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query StorefrontCategories {\n    categories { id slug name productCount }\n  }\n": typeof types.StorefrontCategoriesDocument,
    "\n  query StorefrontCategory(\n    $slug: String!\n    $sort: ProductSort\n    $maxPriceCents: Int\n    $first: Int\n    $after: String\n  ) {\n    category(slug: $slug) {\n      id\n      slug\n      name\n      products(sort: $sort, maxPriceCents: $maxPriceCents, first: $first, after: $after) {\n        edges { cursor node { id name priceCents currency stock } }\n        pageInfo { hasNextPage endCursor }\n      }\n    }\n  }\n": typeof types.StorefrontCategoryDocument,
    "\n  query StorefrontProduct($id: ID!, $reviews: Int, $after: String) {\n    product(id: $id) {\n      id\n      name\n      description\n      priceCents\n      currency\n      stock\n      category { id slug name }\n      rating { average count }\n      reviews(first: $reviews, after: $after) {\n        edges { cursor node { id rating body createdAt author { id name } } }\n        pageInfo { hasNextPage endCursor }\n      }\n    }\n  }\n": typeof types.StorefrontProductDocument,
    "\n  subscription StorefrontStock($productId: ID!) {\n    stockChanged(productId: $productId) { id stock }\n  }\n": typeof types.StorefrontStockDocument,
    "\n  query StorefrontViewer {\n    me {\n      id\n      name\n      orderCount\n      cart {\n        id\n        totalCents\n        items { quantity product { id name priceCents stock } }\n      }\n    }\n  }\n": typeof types.StorefrontViewerDocument,
    "\n  mutation StorefrontAddToCart($productId: ID!, $quantity: Int!) {\n    addToCart(productId: $productId, quantity: $quantity) {\n      __typename\n      ... on AddToCartSuccess {\n        viewer {\n          id\n          cart { id totalCents items { quantity product { id name priceCents stock } } }\n        }\n      }\n      ... on Error { message }\n    }\n  }\n": typeof types.StorefrontAddToCartDocument,
    "\n  mutation StorefrontRemoveFromCart($productId: ID!) {\n    removeFromCart(productId: $productId) {\n      __typename\n      ... on RemoveFromCartSuccess {\n        viewer {\n          id\n          cart { id totalCents items { quantity product { id name priceCents stock } } }\n        }\n      }\n      ... on Error { message }\n    }\n  }\n": typeof types.StorefrontRemoveFromCartDocument,
    "\n  mutation StorefrontPlaceOrder($input: PlaceOrderInput!) {\n    placeOrder(input: $input) {\n      __typename\n      ... on PlaceOrderSuccess {\n        order { id status totalCents lines { quantity unitPriceCents product { id name stock } } }\n        viewer {\n          id\n          orderCount\n          cart { id totalCents items { quantity product { id name priceCents stock } } }\n        }\n      }\n      ... on OutOfStockError { message productId requested available }\n      ... on Error { message }\n    }\n  }\n": typeof types.StorefrontPlaceOrderDocument,
    "\n  subscription StorefrontOrderStatus($orderId: ID!) {\n    orderStatusChanged(orderId: $orderId) { id status }\n  }\n": typeof types.StorefrontOrderStatusDocument,
    "\n  query StorefrontOrder($id: ID!) {\n    order(id: $id) {\n      id\n      status\n      createdAt\n      totalCents\n      lines { quantity unitPriceCents productName product { id } }\n    }\n  }\n": typeof types.StorefrontOrderDocument,
    "\n  mutation StorefrontCancelOrder($orderId: ID!) {\n    cancelOrder(orderId: $orderId) {\n      __typename\n      ... on CancelOrderSuccess { order { id status } viewer { id orderCount } }\n      ... on Error { message }\n    }\n  }\n": typeof types.StorefrontCancelOrderDocument,
};
const documents: Documents = {
    "\n  query StorefrontCategories {\n    categories { id slug name productCount }\n  }\n": types.StorefrontCategoriesDocument,
    "\n  query StorefrontCategory(\n    $slug: String!\n    $sort: ProductSort\n    $maxPriceCents: Int\n    $first: Int\n    $after: String\n  ) {\n    category(slug: $slug) {\n      id\n      slug\n      name\n      products(sort: $sort, maxPriceCents: $maxPriceCents, first: $first, after: $after) {\n        edges { cursor node { id name priceCents currency stock } }\n        pageInfo { hasNextPage endCursor }\n      }\n    }\n  }\n": types.StorefrontCategoryDocument,
    "\n  query StorefrontProduct($id: ID!, $reviews: Int, $after: String) {\n    product(id: $id) {\n      id\n      name\n      description\n      priceCents\n      currency\n      stock\n      category { id slug name }\n      rating { average count }\n      reviews(first: $reviews, after: $after) {\n        edges { cursor node { id rating body createdAt author { id name } } }\n        pageInfo { hasNextPage endCursor }\n      }\n    }\n  }\n": types.StorefrontProductDocument,
    "\n  subscription StorefrontStock($productId: ID!) {\n    stockChanged(productId: $productId) { id stock }\n  }\n": types.StorefrontStockDocument,
    "\n  query StorefrontViewer {\n    me {\n      id\n      name\n      orderCount\n      cart {\n        id\n        totalCents\n        items { quantity product { id name priceCents stock } }\n      }\n    }\n  }\n": types.StorefrontViewerDocument,
    "\n  mutation StorefrontAddToCart($productId: ID!, $quantity: Int!) {\n    addToCart(productId: $productId, quantity: $quantity) {\n      __typename\n      ... on AddToCartSuccess {\n        viewer {\n          id\n          cart { id totalCents items { quantity product { id name priceCents stock } } }\n        }\n      }\n      ... on Error { message }\n    }\n  }\n": types.StorefrontAddToCartDocument,
    "\n  mutation StorefrontRemoveFromCart($productId: ID!) {\n    removeFromCart(productId: $productId) {\n      __typename\n      ... on RemoveFromCartSuccess {\n        viewer {\n          id\n          cart { id totalCents items { quantity product { id name priceCents stock } } }\n        }\n      }\n      ... on Error { message }\n    }\n  }\n": types.StorefrontRemoveFromCartDocument,
    "\n  mutation StorefrontPlaceOrder($input: PlaceOrderInput!) {\n    placeOrder(input: $input) {\n      __typename\n      ... on PlaceOrderSuccess {\n        order { id status totalCents lines { quantity unitPriceCents product { id name stock } } }\n        viewer {\n          id\n          orderCount\n          cart { id totalCents items { quantity product { id name priceCents stock } } }\n        }\n      }\n      ... on OutOfStockError { message productId requested available }\n      ... on Error { message }\n    }\n  }\n": types.StorefrontPlaceOrderDocument,
    "\n  subscription StorefrontOrderStatus($orderId: ID!) {\n    orderStatusChanged(orderId: $orderId) { id status }\n  }\n": types.StorefrontOrderStatusDocument,
    "\n  query StorefrontOrder($id: ID!) {\n    order(id: $id) {\n      id\n      status\n      createdAt\n      totalCents\n      lines { quantity unitPriceCents productName product { id } }\n    }\n  }\n": types.StorefrontOrderDocument,
    "\n  mutation StorefrontCancelOrder($orderId: ID!) {\n    cancelOrder(orderId: $orderId) {\n      __typename\n      ... on CancelOrderSuccess { order { id status } viewer { id orderCount } }\n      ... on Error { message }\n    }\n  }\n": types.StorefrontCancelOrderDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query StorefrontCategories {\n    categories { id slug name productCount }\n  }\n"): (typeof documents)["\n  query StorefrontCategories {\n    categories { id slug name productCount }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query StorefrontCategory(\n    $slug: String!\n    $sort: ProductSort\n    $maxPriceCents: Int\n    $first: Int\n    $after: String\n  ) {\n    category(slug: $slug) {\n      id\n      slug\n      name\n      products(sort: $sort, maxPriceCents: $maxPriceCents, first: $first, after: $after) {\n        edges { cursor node { id name priceCents currency stock } }\n        pageInfo { hasNextPage endCursor }\n      }\n    }\n  }\n"): (typeof documents)["\n  query StorefrontCategory(\n    $slug: String!\n    $sort: ProductSort\n    $maxPriceCents: Int\n    $first: Int\n    $after: String\n  ) {\n    category(slug: $slug) {\n      id\n      slug\n      name\n      products(sort: $sort, maxPriceCents: $maxPriceCents, first: $first, after: $after) {\n        edges { cursor node { id name priceCents currency stock } }\n        pageInfo { hasNextPage endCursor }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query StorefrontProduct($id: ID!, $reviews: Int, $after: String) {\n    product(id: $id) {\n      id\n      name\n      description\n      priceCents\n      currency\n      stock\n      category { id slug name }\n      rating { average count }\n      reviews(first: $reviews, after: $after) {\n        edges { cursor node { id rating body createdAt author { id name } } }\n        pageInfo { hasNextPage endCursor }\n      }\n    }\n  }\n"): (typeof documents)["\n  query StorefrontProduct($id: ID!, $reviews: Int, $after: String) {\n    product(id: $id) {\n      id\n      name\n      description\n      priceCents\n      currency\n      stock\n      category { id slug name }\n      rating { average count }\n      reviews(first: $reviews, after: $after) {\n        edges { cursor node { id rating body createdAt author { id name } } }\n        pageInfo { hasNextPage endCursor }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription StorefrontStock($productId: ID!) {\n    stockChanged(productId: $productId) { id stock }\n  }\n"): (typeof documents)["\n  subscription StorefrontStock($productId: ID!) {\n    stockChanged(productId: $productId) { id stock }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query StorefrontViewer {\n    me {\n      id\n      name\n      orderCount\n      cart {\n        id\n        totalCents\n        items { quantity product { id name priceCents stock } }\n      }\n    }\n  }\n"): (typeof documents)["\n  query StorefrontViewer {\n    me {\n      id\n      name\n      orderCount\n      cart {\n        id\n        totalCents\n        items { quantity product { id name priceCents stock } }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation StorefrontAddToCart($productId: ID!, $quantity: Int!) {\n    addToCart(productId: $productId, quantity: $quantity) {\n      __typename\n      ... on AddToCartSuccess {\n        viewer {\n          id\n          cart { id totalCents items { quantity product { id name priceCents stock } } }\n        }\n      }\n      ... on Error { message }\n    }\n  }\n"): (typeof documents)["\n  mutation StorefrontAddToCart($productId: ID!, $quantity: Int!) {\n    addToCart(productId: $productId, quantity: $quantity) {\n      __typename\n      ... on AddToCartSuccess {\n        viewer {\n          id\n          cart { id totalCents items { quantity product { id name priceCents stock } } }\n        }\n      }\n      ... on Error { message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation StorefrontRemoveFromCart($productId: ID!) {\n    removeFromCart(productId: $productId) {\n      __typename\n      ... on RemoveFromCartSuccess {\n        viewer {\n          id\n          cart { id totalCents items { quantity product { id name priceCents stock } } }\n        }\n      }\n      ... on Error { message }\n    }\n  }\n"): (typeof documents)["\n  mutation StorefrontRemoveFromCart($productId: ID!) {\n    removeFromCart(productId: $productId) {\n      __typename\n      ... on RemoveFromCartSuccess {\n        viewer {\n          id\n          cart { id totalCents items { quantity product { id name priceCents stock } } }\n        }\n      }\n      ... on Error { message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation StorefrontPlaceOrder($input: PlaceOrderInput!) {\n    placeOrder(input: $input) {\n      __typename\n      ... on PlaceOrderSuccess {\n        order { id status totalCents lines { quantity unitPriceCents product { id name stock } } }\n        viewer {\n          id\n          orderCount\n          cart { id totalCents items { quantity product { id name priceCents stock } } }\n        }\n      }\n      ... on OutOfStockError { message productId requested available }\n      ... on Error { message }\n    }\n  }\n"): (typeof documents)["\n  mutation StorefrontPlaceOrder($input: PlaceOrderInput!) {\n    placeOrder(input: $input) {\n      __typename\n      ... on PlaceOrderSuccess {\n        order { id status totalCents lines { quantity unitPriceCents product { id name stock } } }\n        viewer {\n          id\n          orderCount\n          cart { id totalCents items { quantity product { id name priceCents stock } } }\n        }\n      }\n      ... on OutOfStockError { message productId requested available }\n      ... on Error { message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription StorefrontOrderStatus($orderId: ID!) {\n    orderStatusChanged(orderId: $orderId) { id status }\n  }\n"): (typeof documents)["\n  subscription StorefrontOrderStatus($orderId: ID!) {\n    orderStatusChanged(orderId: $orderId) { id status }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query StorefrontOrder($id: ID!) {\n    order(id: $id) {\n      id\n      status\n      createdAt\n      totalCents\n      lines { quantity unitPriceCents productName product { id } }\n    }\n  }\n"): (typeof documents)["\n  query StorefrontOrder($id: ID!) {\n    order(id: $id) {\n      id\n      status\n      createdAt\n      totalCents\n      lines { quantity unitPriceCents productName product { id } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation StorefrontCancelOrder($orderId: ID!) {\n    cancelOrder(orderId: $orderId) {\n      __typename\n      ... on CancelOrderSuccess { order { id status } viewer { id orderCount } }\n      ... on Error { message }\n    }\n  }\n"): (typeof documents)["\n  mutation StorefrontCancelOrder($orderId: ID!) {\n    cancelOrder(orderId: $orderId) {\n      __typename\n      ... on CancelOrderSuccess { order { id status } viewer { id orderCount } }\n      ... on Error { message }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;