import type { JsonObject } from '../../lib/json';

/**
 * The profiles service's own types: what its resolvers, loaders, consumers and store contract
 * speak, whatever database holds the profiles (ProfileStore.ts; the PostgreSQL one is PrismaProfileStore.ts).
 */

/** One per user (users service); made with defaults when the user registers or on first access. */
export interface UserProfile {
  id: string;
  userId: string;
  avatarUrl: string | null;
  /** Contact fields: for the user themselves and admins. */
  phone: string | null;
  address: string | null;
  bio: string | null;
  preferences: JsonObject;
  createdAt: Date;
  updatedAt: Date;
}

/** The profile a user gets before they say anything about themselves. */
export const DEFAULT_PREFERENCES = { theme: 'system', language: 'en', notifications: { email: true } } as const satisfies JsonObject;
