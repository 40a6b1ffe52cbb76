/**
 * The heavy nested operation of the standard federation gateway benchmark: every user's reviews,
 * each reviewed product with its stock and shipping estimate (which needs the product's price and
 * weight from another subgraph), that product's reviews, their authors and the authors' reviews;
 * and the top products with the same depth. It touches all four subgraphs at five levels.
 */
export const STANDARD_QUERY = `fragment UserFields on User { id username name }
fragment ReviewFields on Review { id body }
fragment ProductFields on Product { upc name price weight inStock shippingEstimate }

query StandardBenchmark {
  users {
    ...UserFields
    reviews {
      ...ReviewFields
      product {
        ...ProductFields
        reviews {
          ...ReviewFields
          author {
            ...UserFields
            reviews { ...ReviewFields product { ...ProductFields } }
          }
        }
      }
    }
  }
  topProducts {
    ...ProductFields
    reviews {
      ...ReviewFields
      author {
        ...UserFields
        reviews { ...ReviewFields product { ...ProductFields } }
      }
    }
  }
}`;
