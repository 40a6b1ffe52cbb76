/** Word lists the generated rows draw from: enough variety to look real, all obviously synthetic. */

export const FIRST_NAMES = [
  'Alice', 'Bob', 'Carol', 'David', 'Erin', 'Frank', 'Grace', 'Heidi', 'Ivan', 'Judy', 'Karl', 'Laura',
  'Mallory', 'Niaj', 'Olivia', 'Peggy', 'Quentin', 'Rupert', 'Sybil', 'Trent', 'Ursula', 'Victor', 'Walter',
  'Xavier', 'Yasmin', 'Zoe', 'Amara', 'Bruno', 'Chen', 'Dmitri', 'Elif', 'Fatima', 'Gustavo', 'Hiro',
  'Ingrid', 'Jamal', 'Kwame', 'Lena', 'Mateo', 'Nadia', 'Oskar', 'Priya', 'Rafael', 'Sofia', 'Tomas',
] as const;

export const LAST_NAMES = [
  'Smith', 'Johnson', 'Garcia', 'Miller', 'Davis', 'Martinez', 'Lopez', 'Wilson', 'Anderson', 'Thomas',
  'Moore', 'Jackson', 'Martin', 'Lee', 'Thompson', 'White', 'Harris', 'Clark', 'Lewis', 'Walker', 'Young',
  'Allen', 'King', 'Wright', 'Scott', 'Nguyen', 'Hill', 'Green', 'Adams', 'Baker', 'Nelson', 'Carter',
  'Mitchell', 'Perez', 'Roberts', 'Turner', 'Phillips', 'Campbell', 'Parker', 'Evans', 'Kowalski', 'Okafor',
] as const;

/** Reserved for documentation (RFC 2606), so no generated address can reach a real mailbox. */
export const EMAIL_DOMAINS = ['example.com', 'example.org', 'example.net', 'mail.example.com', 'corp.example.org'] as const;

export const CITIES = [
  'Springfield', 'Riverton', 'Lakeside', 'Fairview', 'Greenville', 'Madison', 'Georgetown', 'Salem',
  'Franklin', 'Clinton', 'Arlington', 'Ashland', 'Bristol', 'Dover', 'Oxford', 'Milton',
] as const;

export const STREETS = ['Main St', 'Oak Ave', 'Pine Rd', 'Maple Dr', 'Cedar Ln', 'Elm St', 'Lake View', 'Hill Rd', 'High St', 'Park Ave'] as const;

export const BIOS = [
  'Coffee first, then code.',
  'Small business owner.',
  'Freelance designer and part-time baker.',
  'Collecting vinyl since 1998.',
  'I sell handmade furniture.',
  'Runner, reader, occasional writer.',
  'Just here to pay my invoices.',
  '',
] as const;

export const USER_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/118.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 13_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Safari/605.1.15',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148',
  'Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/117.0',
  'okhttp/4.9.3',
  'legacy-admin-cli/0.9',
] as const;

export const PAYMENT_DESCRIPTIONS = [
  'Invoice payment', 'Monthly subscription', 'Refund adjustment', 'Order', 'Consulting fee', 'Rent',
  'Split dinner bill', 'Membership renewal', 'Deposit', 'Freelance work', 'Gift', 'Equipment rental',
] as const;

export const FAILURE_REASONS = [
  'insufficient_funds', 'card_declined', 'expired_card', 'do_not_honor', 'processing_error', 'fraud_suspected',
] as const;

export const AUDIT_ACTIONS = [
  ['USER_LOGIN', 'user'],
  ['USER_LOGOUT', 'user'],
  ['USER_UPDATED', 'user'],
  ['PASSWORD_CHANGED', 'user'],
  ['PAYMENT_CREATED', 'payment'],
  ['PAYMENT_CANCELLED', 'payment'],
  ['PAYMENT_REFUNDED', 'payment'],
  ['PROFILE_UPDATED', 'profile'],
  ['CONFIG_CHANGED', 'system_config'],
] as const;

/** Currencies and how common each is (most customers are in the US). */
export const CURRENCY_WEIGHTS = [
  ['USD', 60],
  ['EUR', 28],
  ['GBP', 12],
] as const;
