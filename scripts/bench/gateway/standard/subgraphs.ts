import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse, type GraphQLSchema } from 'graphql';
import { inStock, productByUpc, PRODUCTS, reviewById, reviewsByAuthor, reviewsOfProduct, shippingEstimate, userById, USERS, type Review } from './data';

/** The four subgraphs of the standard scenario, in the order they are listed everywhere. */
export const STANDARD_SUBGRAPHS = ['accounts', 'products', 'inventory', 'reviews'] as const;
export type StandardSubgraph = (typeof STANDARD_SUBGRAPHS)[number];

export function standardTypeDefs(name: StandardSubgraph): string {
  return readFileSync(join(__dirname, `${name}.graphql`), 'utf8');
}

const reviewFields = {
  product: (review: Review) => ({ upc: review.productUpc }),
  // The author's username travels with the review (@provides), as in the published scenario.
  author: (review: Review) => ({ id: review.authorId, username: userById(review.authorId)?.username ?? null }),
};

const RESOLVERS: Record<StandardSubgraph, object> = {
  accounts: {
    Query: {
      // No signed-in user in this scenario: `me` is the first user, as there.
      me: () => USERS[0],
      user: (_: unknown, { id }: { id: string }) => userById(id),
      users: () => USERS,
    },
    User: { __resolveReference: ({ id }: { id: string }) => userById(id) },
  },
  products: {
    Query: { topProducts: (_: unknown, { first }: { first: number }) => PRODUCTS.slice(0, first) },
    Product: { __resolveReference: ({ upc }: { upc: string }) => productByUpc(upc) },
  },
  inventory: {
    Product: {
      __resolveReference: (reference: { upc: string; price?: number; weight?: number }) => ({ ...reference, inStock: inStock(reference.upc) }),
      shippingEstimate: (product: { price?: number; weight?: number }) => shippingEstimate(product.price, product.weight),
    },
  },
  reviews: {
    Review: { __resolveReference: ({ id }: { id: string }) => reviewById(id), ...reviewFields },
    User: { reviews: ({ id }: { id: string }) => reviewsByAuthor(id) },
    Product: { reviews: ({ upc }: { upc: string }) => reviewsOfProduct(upc) },
  },
};

export function standardSubgraphSchema(name: StandardSubgraph): GraphQLSchema {
  return buildSubgraphSchema({ typeDefs: parse(standardTypeDefs(name)), resolvers: RESOLVERS[name] as never });
}
