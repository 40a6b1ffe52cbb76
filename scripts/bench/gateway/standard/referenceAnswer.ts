import { buildSchema, execute, parse } from 'graphql';
import { inStock, productByUpc, PRODUCTS, reviewsByAuthor, reviewsOfProduct, shippingEstimate, userById, USERS, type Product, type Review, type User } from './data';
import { STANDARD_QUERY } from './query';

/**
 * What the standard query must answer, computed without federation: one plain schema over the
 * same in-memory data (graphql-js's default resolver calls the views' methods). Every gateway's
 * answer is compared with this one before it is counted, so no gateway is judged only against
 * another gateway.
 */
const SCHEMA = buildSchema(`
  type Query { users: [User]  topProducts(first: Int = 5): [Product] }
  type User { id: ID!  name: String  username: String  birthday: Int  reviews: [Review] }
  type Product { upc: String!  name: String  price: Int  weight: Int  inStock: Boolean  shippingEstimate: Int  reviews: [Review] }
  type Review { id: ID!  body: String  product: Product  author: User }
`);

const userView = (user: User | null) => user && { ...user, reviews: () => reviewsByAuthor(user.id).map(reviewView) };
const productView = (product: Product | null) =>
  product && {
    ...product,
    inStock: inStock(product.upc),
    shippingEstimate: shippingEstimate(product.price, product.weight),
    reviews: () => reviewsOfProduct(product.upc).map(reviewView),
  };
const reviewView = (review: Review) => ({
  id: review.id,
  body: review.body,
  product: () => productView(productByUpc(review.productUpc)),
  author: () => userView(userById(review.authorId)),
});

export async function standardReferenceData(): Promise<unknown> {
  const rootValue = { users: () => USERS.map(userView), topProducts: ({ first }: { first: number }) => PRODUCTS.slice(0, first).map(productView) };
  const result = await execute({ schema: SCHEMA, document: parse(STANDARD_QUERY), rootValue });
  if (result.errors?.length) throw new Error(`the reference answer failed: ${result.errors.map((error) => error.message).join('; ')}`);
  return JSON.parse(JSON.stringify(result.data));
}
