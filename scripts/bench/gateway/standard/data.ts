/**
 * The data of the standard federation benchmark's four subgraphs, held in memory: users
 * (accounts), products (products), stock (inventory) and reviews (reviews). The shape follows the
 * published scenario (six users, nine products, eleven reviews of the first four products, review
 * bodies of a few hundred characters so that responses weigh what they weigh there); the values
 * are this project's own. Every subgraph and the reference answer read this one module.
 */
export interface User {
  id: string;
  name: string;
  username: string;
  birthday: number;
}

export interface Product {
  upc: string;
  name: string;
  price: number;
  weight: number;
}

export interface Review {
  id: string;
  body: string;
  productUpc: string;
  authorId: string;
}

export const USERS: readonly User[] = [
  ['Ines Varga', 'ivarga'],
  ['Tomas Lindqvist', 'tomasl'],
  ['Amara Okafor', 'amarao'],
  ['Kenji Mori', 'kmori'],
  ['Lucia Ferreira', 'luciaf'],
  ['Pavel Novak', 'pnovak'],
].map(([name, username], index) => ({ id: String(index + 1), name: name!, username: username!, birthday: 946_684_800 + index * 86_400 }));

export const PRODUCTS: readonly Product[] = [
  ['Desk', 899, 100],
  ['Sofa', 1299, 1000],
  ['Mug', 15, 20],
  ['Stool', 499, 100],
  ['Monitor', 1299, 1000],
  ['Floor lamp', 6999, 300],
  ['Barbecue', 3999, 2000],
  ['Freezer', 100_000, 6000],
  ['Armchair', 9999, 800],
].map(([name, price, weight], index) => ({ upc: String(index + 1), name: name as string, price: price as number, weight: weight as number }));

const SENTENCES = [
  'Arrived a day early and was packed with more care than it needed.',
  'Assembly took twenty minutes with the tools in the box.',
  'The finish shows fingerprints, which a cloth takes off at once.',
  'After three months of daily use it still looks and works as new.',
  'Cheaper models exist, but none I tried felt this solid.',
  'The colour is a shade darker than in the photographs.',
  'Customer service answered my question within the hour.',
];

/** A body of `sentences` sentences, different per review, deterministic. */
function body(seed: number, sentences: number): string {
  return Array.from({ length: sentences }, (_, i) => SENTENCES[(seed + i * 3) % SENTENCES.length]).join(' ');
}

/** Eleven reviews of products 1 to 4 (four, four, one, two), written by users 1 to 3. */
export const REVIEWS: readonly Review[] = [
  ['1', 6], ['1', 4], ['1', 4], ['1', 2], ['2', 6], ['2', 4], ['2', 4], ['2', 2], ['3', 2], ['4', 2], ['4', 12],
].map(([productUpc, sentences], index) => ({
  id: String(index + 1),
  body: body(index, sentences as number),
  productUpc: productUpc as string,
  authorId: String((index % 3) + 1),
}));

const IN_STOCK = new Set(['1', '5', '6', '7', '9']);

export function inStock(upc: string): boolean {
  return IN_STOCK.has(upc);
}

/** Free shipping above 1000; otherwise half the weight; unknown without a price and a weight. */
export function shippingEstimate(price: number | null | undefined, weight: number | null | undefined): number | null {
  if (price == null) return null;
  if (price > 1000) return 0;
  return weight == null ? null : Math.floor(weight / 2);
}

export const userById = (id: string) => USERS.find((user) => user.id === id) ?? null;
export const productByUpc = (upc: string) => PRODUCTS.find((product) => product.upc === upc) ?? null;
export const reviewById = (id: string) => REVIEWS.find((review) => review.id === id) ?? null;
export const reviewsOfProduct = (upc: string) => REVIEWS.filter((review) => review.productUpc === upc);
export const reviewsByAuthor = (id: string) => REVIEWS.filter((review) => review.authorId === id);
