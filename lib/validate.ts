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

/** Trimmed text within length bounds; `min` defaults to 1 (not empty). */
export function requireText(value: unknown, field: string, rule: TextRule): string {
  if (typeof value !== 'string') throw badInput(field, 'must be a string');
  const text = value.trim();
  const min = rule.min ?? 1;
  if (text.length < min) throw badInput(field, min === 1 ? 'must not be empty' : `must be at least ${min} characters`);
  if (text.length > rule.max) throw badInput(field, `must be at most ${rule.max} characters`);
  return text;
}

export function optionalText(value: unknown, field: string, rule: TextRule): string | null | undefined {
  if (value === undefined) return undefined;
  if (value === null) return null;
  return requireText(value, field, { min: 0, ...rule });
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

/** A JSON document argument, bounded in serialized size so one request cannot store megabytes. */
export function requireJsonDocument(value: unknown, field: string, maxBytes: number): unknown {
  if (value === undefined) throw badInput(field, 'is required');
  const size = Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');
  if (size > maxBytes) throw badInput(field, `must be at most ${maxBytes} bytes of JSON`);
  return value;
}
