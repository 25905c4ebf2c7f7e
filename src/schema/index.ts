import { lexicographicSortSchema } from 'graphql';
import { builder } from './builder.js';
import './types/errors.js';
import './types/category.js';
import './types/cart.js';
import './types/customer.js';
import './types/order.js';
import './types/product.js';
import './types/review.js';
import './types/subscriptions.js';

export const schema = lexicographicSortSchema(builder.toSchema());
