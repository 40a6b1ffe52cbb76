import { badInput } from './errors';
import { isId } from './validate';

/**
 * Cursor pagination (Relay connection shape) for every list that can grow. Lists are ordered newest
 * first by (createdAt, id); a cursor is that pair, base64url-encoded, so it stays valid while rows
 * are inserted before it.
 */
export interface PageArgs {
  first?: number | null;
  after?: string | null;
}

export interface Page {
  limit: number;
  after: CursorPosition | null;
}

export interface CursorPosition {
  createdAt: Date;
  id: string;
}

export interface Connection<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount?: number;
}

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(`${position.createdAt.toISOString()}|${position.id}`, 'utf8').toString('base64url');
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export function decodeCursor(cursor: string, field = 'after'): CursorPosition {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const [iso, id, extra] = text.split('|');
  // Only what encodeCursor writes: a full ISO instant and an id (never passed on unchecked to SQL).
  const createdAt = new Date(iso ?? '');
  if (!isId(id) || extra !== undefined || !ISO_INSTANT.test(iso ?? '') || Number.isNaN(createdAt.getTime())) {
    throw badInput(field, 'is not a valid cursor');
  }
  return { createdAt, id: id.toLowerCase() };
}

/** Validates `first`/`after` once, at the resolver, so stores receive a checked `Page`. */
export function toPage(args: PageArgs): Page {
  const first = args.first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) {
    throw badInput('first', `must be an integer from 0 to ${MAX_PAGE_SIZE}`);
  }
  return { limit: first, after: args.after != null ? decodeCursor(args.after) : null };
}

/** A stable key for grouping loader keys that share the same page arguments. */
export function pageKey(page: Page): string {
  return `${page.limit}:${page.after ? encodeCursor(page.after) : ''}`;
}

/** Builds a connection from up to `limit + 1` rows already in order (the extra row signals a next page). */
export function toConnection<T extends { id: string; createdAt: Date }>(rows: T[], limit: number): Connection<T> {
  const nodes = rows.slice(0, limit);
  const edges = nodes.map((node) => ({ cursor: encodeCursor(node), node }));
  return {
    edges,
    pageInfo: { hasNextPage: rows.length > limit, endCursor: edges.at(-1)?.cursor ?? null },
  };
}

/** Orders newest first, the order every connection uses. */
export function newestFirst(a: CursorPosition, b: CursorPosition): number {
  const byTime = b.createdAt.getTime() - a.createdAt.getTime();
  if (byTime !== 0) return byTime;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/** True when `row` comes strictly after the cursor in newest-first order. */
export function isAfter(row: CursorPosition, cursor: CursorPosition | null): boolean {
  return cursor === null || newestFirst(cursor, row) < 0;
}

/** In-memory paging for small bounded lists (e.g. a team's members), same shape as the stores'. */
export function pageInMemory<T extends { id: string; createdAt: Date }>(rows: T[], page: Page): Connection<T> {
  const sorted = [...rows].sort(newestFirst).filter((row) => isAfter(row, page.after));
  return toConnection(sorted.slice(0, page.limit + 1), page.limit);
}
