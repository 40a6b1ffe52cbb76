/**
 * Deterministic randomness for the legacy data generator. Every row is a pure function of
 * (seed, table, row index): its own small PRNG is seeded from a hash of those three numbers. So
 * rows can be made in any order and in batches of any size, nothing has to be remembered between
 * batches (memory stays flat), and another table can name a row (a payment's sender, a profile's
 * user) by recomputing its id from its index.
 */

/** One number per table, mixed into every hash so tables draw unrelated values. */
export const TABLE_TAG = {
  users: 1,
  refreshTokens: 2,
  payments: 3,
  paymentTransactions: 4,
  auditLogs: 5,
  userProfiles: 6,
  systemConfig: 7,
  /** Per-user attributes other tables need cheaply (role, sign-up time). */
  userTraits: 8,
  /** Where each kind of dirt lands. */
  dirt: 9,
  passwordSalt: 10,
} as const;

/** MurmurHash3's 32-bit finaliser: a bijection on 32-bit integers with good avalanche. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function round(h: number, part: number): number {
  let k = Math.imul(part | 0, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  h ^= Math.imul(k, 0x1b873593);
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/**
 * MurmurHash3 of four 32-bit integers (unused ones 0). Fixed arity on purpose: it runs several
 * times per generated row, and a rest parameter would allocate an array each time.
 */
export function hash32(a: number, b: number, c = 0, d = 0): number {
  return fmix32(round(round(round(round(0x9747b28c, a), b), c), d) ^ 16);
}

const HEX_CODES = Array.from('0123456789abcdef', (digit) => digit.charCodeAt(0));

/** sfc32: small, fast, and good enough for synthetic data (not for anything secret). */
export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number, tag: number, index: number) {
    this.a = hash32(seed, tag, index, 0);
    this.b = hash32(seed, tag, index, 1);
    this.c = hash32(seed, tag, index, 2);
    this.d = 1;
  }

  /** A uniformly distributed unsigned 32-bit integer. */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** In [0, 1). */
  float(): number {
    return this.next() / 4294967296;
  }

  /** An integer in [0, n). */
  below(n: number): number {
    return Math.floor(this.float() * n);
  }

  /** An integer in [min, max]. */
  between(min: number, max: number): number {
    return min + this.below(max - min + 1);
  }

  chance(probability: number): boolean {
    return this.float() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)] as T;
  }

  /** One of `choices`, each as likely as its weight. */
  weighted<T>(choices: readonly (readonly [T, number])[]): T {
    const total = choices.reduce((sum, [, weight]) => sum + weight, 0);
    let roll = this.float() * total;
    for (const [value, weight] of choices) {
      roll -= weight;
      if (roll < 0) return value;
    }
    return (choices[choices.length - 1] as readonly [T, number])[0];
  }

  /** `bytes` random bytes as lowercase hex, made as one flat string (see rowId). */
  hex(bytes: number): string {
    const codes = new Array<number>(bytes * 2);
    for (let i = 0; i < codes.length; i += 8) {
      let value = this.next();
      for (let j = Math.min(7, codes.length - i - 1); j >= 0; j--) {
        codes[i + j] = HEX_CODES[value & 15]!;
        value >>>= 4;
      }
    }
    return String.fromCharCode.apply(null, codes);
  }
}

/** Scratch space for rowId: the 36 character codes of a UUID, dashes in place. */
const UUID_CODES = new Array<number>(36).fill('-'.charCodeAt(0));

function putHex(position: number, value: number, digits: number): void {
  for (let i = digits - 1; i >= 0; i--) {
    UUID_CODES[position + i] = HEX_CODES[value & 15]!;
    value >>>= 4;
  }
}

/**
 * The id of row `index` of a table: a well-formed version-4 UUID (what the services' id checks
 * accept). Its first 32 bits are a bijection of the index (fmix32 of index XOR a per-table key),
 * so ids within a table never collide, however many rows; the rest is hashed noise.
 *
 * Written into a scratch array of character codes and made into one flat string: several
 * million ids are made per run, and concatenating pieces cost twice as much time and garbage.
 */
export function rowId(seed: number, tag: number, index: number): string {
  const salted = seed ^ 0x5bd1e995;
  const second = hash32(salted, tag, index, 1);
  const third = hash32(salted, tag, index, 2);
  putHex(0, fmix32((index ^ hash32(seed, tag)) >>> 0), 8);
  putHex(9, second >>> 16, 4);
  putHex(14, 0x4000 | (second & 0x0fff), 4); // version 4
  putHex(19, 0x8000 | ((third >>> 16) & 0x3fff), 4); // variant 10xx
  putHex(24, third & 0xffff, 4);
  putHex(28, hash32(salted, tag, index, 3), 8);
  return String.fromCharCode.apply(null, UUID_CODES);
}

/** fmix32 undone: multiply by the modular inverses, undo the xor-shifts. */
function unfmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x7ed1b41d); // inverse of 0xc2b2ae35
  h ^= (h >>> 13) ^ (h >>> 26);
  h = Math.imul(h, 0xa5cb9243); // inverse of 0x85ebca6b
  h ^= h >>> 16;
  return h >>> 0;
}

/** The index of the row of this table whose id is `id` (rowId backwards), or null if no row has it. */
export function rowIndex(seed: number, tag: number, id: string): number | null {
  const first = Number.parseInt(id.slice(0, 8), 16);
  if (!Number.isInteger(first)) return null;
  const index = (unfmix32(first) ^ hash32(seed, tag)) >>> 0;
  return rowId(seed, tag, index) === id.toLowerCase() ? index : null;
}

/**
 * Evenly spread positions, for dirt: exactly `count` of the indices 0..total-1 are chosen (for
 * count <= total), one per stretch of about total/count, shifted by `offset` so that different
 * kinds of dirt land on different rows. Returns which of the `count` chosen positions `index`
 * is, or -1. O(1), so a batch can ask about its own rows without a list of them.
 */
export function spreadOrdinal(index: number, total: number, count: number, offset: number): number {
  if (count <= 0 || total <= 0) return -1;
  const shifted = (index + (offset % total)) % total;
  const before = Math.floor((shifted * count) / total);
  const after = Math.floor(((shifted + 1) * count) / total);
  return after > before ? before : -1;
}
