import { GraphQLError } from 'graphql';
import { refusal } from '../support/refusal';
import {
  decodeCursor,
  DEFAULT_PAGE_SIZE,
  encodeCursor,
  MAX_PAGE_SIZE,
  pageInMemory,
  toConnection,
  toPage,
  type Connection,
  type CursorPosition,
} from '../../lib/pagination';

interface Row {
  id: string;
  createdAt: Date;
}


const at = (iso: string) => new Date(iso);
const uuid = (n: number) => `00000000-0000-4000-8000-${n.toString().padStart(12, '0')}`;

describe('cursors', () => {
  it('round-trips createdAt (to the millisecond) and id', () => {
    const position: CursorPosition = { createdAt: at('2026-11-21T09:30:00.123Z'), id: uuid(7) };
    const cursor = encodeCursor(position);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/); // base64url: safe in a URL, no padding
    expect(decodeCursor(cursor)).toEqual(position);
  });

  it.each([
    ['not base64 at all', '!!!'],
    ['empty', ''],
    ['base64 of plain text', Buffer.from('hello').toString('base64url')],
    ['no id', Buffer.from('2026-11-21T09:30:00.000Z|').toString('base64url')],
    ['bad date', Buffer.from(`yesterday|${uuid(1)}`).toString('base64url')],
    ['extra part', Buffer.from(`2026-11-21T09:30:00.000Z|${uuid(1)}|x`).toString('base64url')],
    ['an id that is no UUID (would reach SQL)', Buffer.from(`2026-11-21T09:30:00.000Z|x' OR 1=1`).toString('base64url')],
    ['a loose date form', Buffer.from(`1|${uuid(1)}`).toString('base64url')],
  ])('refuses a malformed cursor (%s) naming `after`', (_name, cursor) => {
    refusal(() => decodeCursor(cursor), 'after');
  });

  it('names the argument it was given', () => {
    refusal(() => decodeCursor('!!!', 'before'), 'before');
  });
});

describe('toPage', () => {
  it('defaults to the default page size and no cursor', () => {
    expect(toPage({})).toEqual({ limit: DEFAULT_PAGE_SIZE, after: null });
    expect(toPage({ first: null, after: null })).toEqual({ limit: DEFAULT_PAGE_SIZE, after: null });
  });

  it('accepts 0 and the maximum', () => {
    expect(toPage({ first: 0 }).limit).toBe(0);
    expect(toPage({ first: MAX_PAGE_SIZE }).limit).toBe(MAX_PAGE_SIZE);
    expect(MAX_PAGE_SIZE).toBe(100);
  });

  it.each([
    ['negative', -1],
    ['over the maximum', MAX_PAGE_SIZE + 1],
    ['far over the maximum', 1e9],
    ['not an integer', 2.5],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
  ])('refuses first %s (%d) naming `first`', (_name, first) => {
    refusal(() => toPage({ first }), 'first');
  });

  it('decodes `after`, and refuses a malformed one naming `after`', () => {
    const position = { createdAt: at('2026-01-01T00:00:00.000Z'), id: uuid(3) };
    expect(toPage({ first: 5, after: encodeCursor(position) })).toEqual({ limit: 5, after: position });
    refusal(() => toPage({ first: 5, after: 'not-a-cursor' }), 'after');
  });
});

describe('toConnection', () => {
  const rows: Row[] = [3, 2, 1].map((n) => ({ id: uuid(n), createdAt: at(`2026-01-0${n}T00:00:00.000Z`) }));

  it('with one row more than the limit: a next page, ending at the last row shown', () => {
    const connection = toConnection(rows, 2);
    expect(connection.edges.map((edge) => edge.node)).toEqual(rows.slice(0, 2));
    expect(connection.pageInfo).toEqual({ hasNextPage: true, endCursor: encodeCursor(rows[1]!) });
    for (const edge of connection.edges) expect(decodeCursor(edge.cursor)).toEqual({ createdAt: edge.node.createdAt, id: edge.node.id });
  });

  it('with exactly the limit: no next page', () => {
    const connection = toConnection(rows, 3);
    expect(connection.edges).toHaveLength(3);
    expect(connection.pageInfo).toEqual({ hasNextPage: false, endCursor: encodeCursor(rows[2]!) });
  });

  it('empty: no next page and a null endCursor', () => {
    expect(toConnection([], 10).pageInfo).toEqual({ hasNextPage: false, endCursor: null });
  });

  it('with a limit of 0 and rows behind it: an empty page that says more follow', () => {
    const connection = toConnection(rows.slice(0, 1), 0);
    expect(connection.edges).toEqual([]);
    expect(connection.pageInfo).toEqual({ hasNextPage: true, endCursor: null });
  });
});

describe('pageInMemory', () => {
  // Shuffled on purpose, with three rows sharing one timestamp.
  const tie = at('2026-05-05T05:05:05.005Z');
  const rows: Row[] = [
    { id: uuid(4), createdAt: at('2026-05-01T00:00:00.000Z') },
    { id: uuid(10), createdAt: tie },
    { id: uuid(1), createdAt: at('2026-06-01T00:00:00.000Z') },
    { id: uuid(12), createdAt: tie },
    { id: uuid(2), createdAt: at('2026-04-01T00:00:00.000Z') },
    { id: uuid(11), createdAt: tie },
    { id: uuid(3), createdAt: at('2026-05-05T05:05:05.004Z') },
  ];
  const expectedOrder = [uuid(1), uuid(12), uuid(11), uuid(10), uuid(3), uuid(4), uuid(2)];

  it('orders newest first, ties by id (descending)', () => {
    const connection = pageInMemory(rows, { limit: 100, after: null });
    expect(connection.edges.map((edge) => edge.node.id)).toEqual(expectedOrder);
    expect(connection.pageInfo.hasNextPage).toBe(false);
  });

  it('does not reorder the array it was given', () => {
    const copy = [...rows];
    pageInMemory(rows, { limit: 3, after: null });
    expect(rows).toEqual(copy);
  });

  it.each([1, 2, 3, 4, 7])('walking pages of %d gives every row once, in order, with no gap or overlap', (size) => {
    const seen: string[] = [];
    let after: string | null = null;
    for (let guard = 0; guard < 20; guard += 1) {
      const connection: Connection<Row> = pageInMemory(rows, toPage({ first: size, after }));
      expect(connection.edges.length).toBeLessThanOrEqual(size);
      seen.push(...connection.edges.map((edge) => edge.node.id));
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
      expect(after).not.toBeNull();
    }
    expect(seen).toEqual(expectedOrder);
  });

  it('continues right after a cursor that sits inside a group of equal timestamps', () => {
    const first = pageInMemory(rows, { limit: 2, after: null });
    expect(first.edges.map((edge) => edge.node.id)).toEqual([uuid(1), uuid(12)]);
    const next = pageInMemory(rows, { limit: 2, after: decodeCursor(first.pageInfo.endCursor!) });
    expect(next.edges.map((edge) => edge.node.id)).toEqual([uuid(11), uuid(10)]);
    expect(next.pageInfo.hasNextPage).toBe(true);
  });

  it('a cursor past the last row gives an empty last page', () => {
    const last = rows.find((row) => row.id === uuid(2))!;
    const page = pageInMemory(rows, { limit: 5, after: last });
    expect(page.edges).toEqual([]);
    expect(page.pageInfo).toEqual({ hasNextPage: false, endCursor: null });
  });
});
