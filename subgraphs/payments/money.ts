import { badInput } from '../../lib/errors';

/** Amounts are stored as NUMERIC(12,2): ten integer digits, two fraction digits. */
const AMOUNT = /^(\d{1,10})(?:\.(\d{1,2}))?$/;

/**
 * Parses a client's amount string into the exact canonical form stored ("12.5" becomes "12.50"),
 * without ever passing through a float. Refuses negatives, zero, more than two fraction digits,
 * exponents and anything over 9,999,999,999.99.
 */
export function parseAmount(value: unknown, field: string): string {
  if (typeof value !== 'string') throw badInput(field, 'must be a decimal string such as "12.50"');
  const text = value.trim();
  if (text.startsWith('-')) throw badInput(field, 'must be greater than 0');
  const match = AMOUNT.exec(text);
  if (!match) {
    if (/^\d+\.\d{3,}$/.test(text)) throw badInput(field, 'must have at most two decimal places');
    if (/^\d{11,}(\.\d*)?$/.test(text)) throw badInput(field, 'must be at most 9999999999.99');
    throw badInput(field, 'must be a decimal string such as "12.50"');
  }
  const whole = match[1]!.replace(/^0+(?=\d)/, '');
  const cents = (match[2] ?? '').padEnd(2, '0');
  if (/^0+$/.test(whole) && cents === '00') throw badInput(field, 'must be greater than 0');
  return `${whole}.${cents}`;
}

const CURRENCY = /^[A-Z]{3}$/;

export function parseCurrency(value: unknown, field: string): string {
  if (typeof value !== 'string' || !CURRENCY.test(value)) throw badInput(field, 'must be an ISO-4217 code of three capital letters, e.g. EUR');
  return value;
}
