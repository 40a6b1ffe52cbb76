import { randomUUID } from 'node:crypto';
import { badInput } from './errors';

/**
 * Every entity id in the graph is a UUID string, whichever store owns it: MongoDB documents use it
 * as a string `_id`, PostgreSQL tables as a `uuid` column. Keeping one shape lets a legacy database
 * be migrated with its ids intact and lets every service reject a malformed id before a query.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function newId(): string {
  return randomUUID();
}

export function isId(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

/** An id argument: a malformed one is the caller's mistake, reported by field name. */
export function requireId(value: unknown, field: string): string {
  if (!isId(value)) throw badInput(field, 'is not a valid id');
  return value.toLowerCase();
}

export interface TextRule {
  min?: number;
  max: number;
}

/**
 * Characters no store accepts: NUL (PostgreSQL text and jsonb refuse it) and UTF-16 surrogates
 * that are not part of a pair (not valid Unicode, refused by jsonb).
 */
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function requireStorable(text: string, field: string): string {
  if (UNSTORABLE.test(text)) throw badInput(field, 'contains a NUL character or invalid Unicode');
  return text;
}

/** Trimmed text within length bounds; `min` defaults to 1 (not empty). */
export function requireText(value: unknown, field: string, rule: TextRule): string {
  if (typeof value !== 'string') throw badInput(field, 'must be a string');
  const text = requireStorable(value, field).trim();
  const min = rule.min ?? 1;
  if (text.length < min) throw badInput(field, min === 1 ? 'must not be empty' : `must be at least ${min} characters`);
  if (text.length > rule.max) throw badInput(field, `must be at most ${rule.max} characters`);
  return text;
}

/** Like requireText, but undefined stays undefined (not given) and null or blank text is null (cleared). */
export function optionalText(value: unknown, field: string, rule: TextRule): string | null | undefined {
  if (value === undefined) return undefined;
  if (value === null) return null;
  const text = requireText(value, field, { min: 0, ...rule });
  return text === '' && (rule.min ?? 0) === 0 ? null : text;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Emails are compared case-insensitively, so they are stored lower-cased. */
export function requireEmail(value: unknown, field: string): string {
  const email = requireText(value, field, { max: 254 }).toLowerCase();
  if (!EMAIL.test(email)) throw badInput(field, 'is not a valid email address');
  return email;
}

export function requireOneOf<T extends string>(value: unknown, field: string, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !allowed.includes(value as T)) {
    throw badInput(field, `must be one of ${allowed.join(', ')}`);
  }
  return value as T;
}

export interface JsonRule {
  /** Serialized size bound, so one request cannot store megabytes. */
  maxBytes: number;
  /** Nesting bound: a few kilobytes of brackets must not overflow a parser's stack downstream. */
  maxDepth?: number;
  /** Require a JSON object at the top (metadata, preferences). */
  object?: boolean;
}

const DEFAULT_MAX_DEPTH = 64;

/** A JSON argument every store can keep as it is: bounded in size and depth, no unstorable text. */
export function requireJson(value: unknown, field: string, rule: JsonRule): unknown {
  if (value === undefined || value === null) throw badInput(field, 'is required');
  if (rule.object && (typeof value !== 'object' || Array.isArray(value))) throw badInput(field, 'must be a JSON object');
  const maxDepth = rule.maxDepth ?? DEFAULT_MAX_DEPTH;
  const visit = (node: unknown, depth: number): void => {
    if (typeof node === 'string') {
      requireStorable(node, field);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    if (depth >= maxDepth) throw badInput(field, `must be nested at most ${maxDepth} levels deep`);
    for (const [key, child] of Object.entries(node)) {
      requireStorable(key, field);
      visit(child, depth + 1);
    }
  };
  visit(value, 0);
  const size = Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');
  if (size > rule.maxBytes) throw badInput(field, `must be at most ${rule.maxBytes} bytes of JSON`);
  return value;
}
