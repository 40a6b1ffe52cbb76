import { AppError } from '../../lib/errors';
import { domainEvent } from '../../lib/events/DomainEvent';
import { auditor } from '../../lib/events/audit';
import { ANONYMOUS } from '../../lib/auth/identity';
import { hashSecret, newSecret } from '../../lib/auth/secrets';
import { newId } from '../../lib/validate';
import { checksum } from '../../lib/storeMove/checksum';
import type { MoveAdapter } from '../../lib/storeMove/types';
import type { AuditLogEntry, ImportedUser, LegacySession, NewUser, RefreshTokenRecord, UserMoveRecord } from '../../subgraphs/users/domain';
import type { UsersData } from '../../subgraphs/users/UsersData';
import { describeStoreContract } from '../support/storeContract';
import { openMongoUsers, openPrismaUsers } from '../support/usersStores';

/**
 * The users' store contracts (UserStore, RefreshTokenStore, AuditLogStore), the same tests on
 * MongoDB (FerretDB) and on PostgreSQL, so the two implementations cannot drift.
 */
const newUser = (overrides: Partial<NewUser> = {}): NewUser => ({ email: `u.${newId()}@example.test`, name: 'A User', role: 'CUSTOMER', passwordHash: 'hash', ...overrides });
const marker = (userId: string) => [domainEvent('users', 'user.registered', { userId })];

async function settled<T>(runs: Promise<T>[]): Promise<{ won: T[]; refused: unknown[] }> {
  const results = await Promise.allSettled(runs);
  return {
    won: results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : [])),
    refused: results.flatMap((result) => (result.status === 'rejected' ? [result.reason] : [])),
  };
}

/** A user as the legacy migration carries one: its own id, hash and (past, whole-millisecond) timestamps. */
const imported = (overrides: Partial<ImportedUser> = {}): ImportedUser => ({
  id: newId(), email: `imported.${newId()}@example.test`, name: null, role: 'VENDOR', emailVerified: true, passwordHash: '$argon2id$legacy',
  createdAt: new Date('2019-03-04T05:06:07.890Z'), updatedAt: new Date('2020-01-02T03:04:05.678Z'), ...overrides,
});

async function collect<T>(records: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const record of records) all.push(record);
  return all;
}

const ascending = (ids: string[]) => ids.every((id, i) => i === 0 || ids[i - 1]! < id);

const auditEvent = (action: string, actorId: string | null, resourceId: string) =>
  auditor('teams')({ identity: actorId ? { kind: 'user', userId: actorId, role: 'CUSTOMER' } as never : ANONYMOUS, clientIp: null, userAgent: null, requestId: 'test' }, action, 'Team')(resourceId);

describeStoreContract<UsersData>('the users stores', { mongodb: openMongoUsers, postgresql: openPrismaUsers }, (data) => {
  describe('users', () => {
    it('creates a user, with its events, and finds it by id, by email (with the hash) and in lists', async () => {
      const input = newUser({ name: 'Ann', role: 'VENDOR', emailVerified: true });
      const user = await data().users.create({ ...input, events: marker });
      expect(user).toMatchObject({ email: input.email, name: 'Ann', role: 'VENDOR', emailVerified: true });
      expect(await data().users.findByIds([user.id, newId(), 'not-an-id'])).toEqual([user]);
      expect(await data().users.findCredentials(input.email)).toEqual({ user, passwordHash: 'hash' });
      expect(await data().users.hasLiveUsers()).toBe(true);
      expect((await data().users.list({ limit: 1000, after: null })).map((u) => u.id)).toContain(user.id);
      const pending = await data().users.outbox().pending(100_000);
      expect(pending.some((event) => event.type === 'user.registered' && event.payload.userId === user.id)).toBe(true);
    });

    it('refuses a second user with one email with CONFLICT; of concurrent registrations one wins', async () => {
      const email = `same.${newId()}@example.test`;
      const { won, refused } = await settled(Array.from({ length: 5 }, () => data().users.create(newUser({ email }))));
      expect(won).toHaveLength(1);
      expect(refused).toHaveLength(4);
      for (const error of refused) expect((error as AppError).extensions.code).toBe('CONFLICT');
      await expect(data().users.create(newUser({ email }))).rejects.toThrow(`a user with email ${email} already exists`);
    });

    it('deletes a user to a tombstone: gone to lookups, its email free again, its sessions ended', async () => {
      const input = newUser();
      const user = await data().users.create(input);
      const ended = await data().users.delete(user.id, (notBefore) => [domainEvent('users', 'user.deleted', { userId: user.id, at: notBefore.toISOString() })]);
      expect(ended).toBeInstanceOf(Date);
      expect(await data().users.findByIds([user.id])).toEqual([]);
      expect(await data().users.findCredentials(input.email)).toBeNull();
      expect(await data().users.findForSession(user.id)).toBeNull();
      expect(await data().users.statusOf([user.id, newId()])).toEqual(new Map([[user.id, 'deleted']]));
      expect(await data().users.delete(user.id)).toBeNull();
      expect((await data().users.sessionsEndedSince(new Date(ended!.getTime() - 1))).some((s) => s.userId === user.id)).toBe(true);
      expect((await data().users.create(newUser({ email: input.email }))).email).toBe(input.email);
    });

    it('a new role ends the sessions (when, and its events); another change or the same role does not', async () => {
      const user = await data().users.create(newUser());
      const renamed = await data().users.update(user.id, { name: 'Renamed', role: 'CUSTOMER' });
      expect(renamed).toMatchObject({ user: { name: 'Renamed', role: 'CUSTOMER' }, sessionsEndedAt: null });
      const promoted = await data().users.update(user.id, { role: 'ADMIN' }, [], (notBefore) => [domainEvent('users', 'user.access-changed', { userId: user.id, n: notBefore.getTime() })]);
      expect(promoted!.user.role).toBe('ADMIN');
      expect(promoted!.sessionsEndedAt).toBeInstanceOf(Date);
      const since = await data().users.sessionsEndedSince(new Date(promoted!.sessionsEndedAt!.getTime() - 1));
      expect(since).toContainEqual({ userId: user.id, notBefore: promoted!.sessionsEndedAt });
      expect(await data().users.update(newId(), { name: 'x' })).toBeNull();
      expect(await data().users.endSessions(newId(), () => [])).toBeNull();
    });

    it('a session read beside a role change is issued before its cut-off with the old role, or after it with the new one', async () => {
      const user = await data().users.create(newUser());
      const reads = Array.from({ length: 10 }, () => data().users.findForSession(user.id));
      const change = data().users.update(user.id, { role: 'VENDOR' });
      const [changed, ...sessions] = await Promise.all([change, ...reads]);
      const cutOff = changed!.sessionsEndedAt!.getTime();
      for (const session of sessions) {
        if (session!.readAt > cutOff) expect(session!.user.role).toBe('VENDOR');
      }
      const after = await data().users.findForSession(user.id);
      expect(after!.readAt).toBeGreaterThan(cutOff);
      expect(after!.user.role).toBe('VENDOR');
    });
  });

  describe('refresh tokens', () => {
    it('redeems a token once; presenting it again is reuse and ends its whole family', async () => {
      const userId = newId();
      const token = await data().refreshTokens.issue(userId);
      const first = await data().refreshTokens.redeem(token);
      expect(first).toMatchObject({ ok: true, userId });
      if (!first.ok) throw new Error('not redeemed');
      const rotated = await data().refreshTokens.issue(userId, { familyId: first.familyId, expiresAt: first.expiresAt });
      expect(await data().refreshTokens.redeem(token)).toEqual({ ok: false, reason: 'reused' });
      expect(await data().refreshTokens.familyRevoked(first.familyId)).toBe(true);
      expect(await data().refreshTokens.redeem(rotated)).toEqual({ ok: false, reason: 'revoked' });
    });

    it('one token redeemed concurrently five times: exactly one winner', async () => {
      const token = await data().refreshTokens.issue(newId());
      const outcomes = await Promise.all(Array.from({ length: 5 }, () => data().refreshTokens.redeem(token)));
      expect(outcomes.filter((outcome) => outcome.ok)).toHaveLength(1);
      // The first loser finds it spent (reuse) and ends the family; later ones may find it revoked.
      for (const outcome of outcomes.filter((o) => !o.ok)) expect(['reused', 'revoked']).toContain(!outcome.ok && outcome.reason);
      expect(outcomes.some((outcome) => !outcome.ok && outcome.reason === 'reused')).toBe(true);
    });

    it('refuses a wrong secret, a malformed token and an expired one', async () => {
      const userId = newId();
      const token = await data().refreshTokens.issue(userId);
      const [id] = token.split('.');
      expect(await data().refreshTokens.redeem(`${id}.${'x'.repeat(43)}`)).toEqual({ ok: false, reason: 'unknown' });
      expect(await data().refreshTokens.redeem('a.b.c')).toEqual({ ok: false, reason: 'unknown' });
      expect(await data().refreshTokens.redeem(`${newId()}.secret`)).toEqual({ ok: false, reason: 'unknown' });
      const expired = await data().refreshTokens.issue(userId, { familyId: newId(), expiresAt: new Date(Date.now() - 1000) });
      expect(await data().refreshTokens.redeem(expired)).toEqual({ ok: false, reason: 'expired' });
      expect((await data().refreshTokens.redeem(token)).ok).toBe(true);
    });

    it("logout ends the token's family, with its events, once; logging out everywhere ends every family", async () => {
      const userId = newId();
      const token = await data().refreshTokens.issue(userId);
      expect(await data().refreshTokens.revokeByToken('not-ours.x')).toBe(false);
      expect(await data().refreshTokens.revokeByToken(token, (user) => [domainEvent('users', 'test.logout', { userId: user })])).toBe(true);
      expect(await data().refreshTokens.revokeByToken(token)).toBe(true);
      expect(await data().refreshTokens.redeem(token)).toEqual({ ok: false, reason: 'revoked' });
      const pending = await data().refreshTokens.outbox().pending(100_000);
      expect(pending.filter((event) => event.type === 'test.logout' && event.payload.userId === userId)).toHaveLength(1);

      const others = await Promise.all([data().refreshTokens.issue(userId), data().refreshTokens.issue(userId)]);
      await data().refreshTokens.revokeAllOf(userId);
      for (const other of others) expect(await data().refreshTokens.redeem(other)).toEqual({ ok: false, reason: 'revoked' });
    });
  });

  describe('audit log', () => {
    it('records each event once and lists entries newest first, filtered, in keyset pages', async () => {
      const actor = newId();
      const resource = newId();
      const events = [auditEvent('createTeam', actor, resource), auditEvent('renameTeam', actor, resource), auditEvent('renameTeam', null, newId())];
      for (const event of events) expect(await data().auditLog.record(event)).toBe(true);
      expect(await data().auditLog.record(events[0]!)).toBe(false);

      const mine = await data().auditLog.list({ actorId: actor }, { limit: 10, after: null });
      expect(mine.map((entry) => entry.action).sort()).toEqual(['createTeam', 'renameTeam']);
      expect(mine[0]).toMatchObject({ service: 'teams', actorType: 'USER', actorId: actor, resourceType: 'Team', resourceId: resource, requestId: 'test' });
      expect(mine[0]).not.toHaveProperty('details');
      const renames = await data().auditLog.list({ action: 'renameTeam', resourceType: 'Team', resourceId: resource }, { limit: 10, after: null });
      expect(renames.map((entry) => entry.id)).toEqual([events[1]!.id]);
      const all = await data().auditLog.list({}, { limit: 1, after: null });
      expect(all).toHaveLength(2);
      const rest = await data().auditLog.list({}, { limit: 10, after: { createdAt: all[0]!.createdAt, id: all[0]!.id } });
      expect(rest.map((entry) => entry.id)).not.toContain(all[0]!.id);
      const window = await data().auditLog.list({ actorId: actor, from: new Date(Date.now() + 60_000) }, { limit: 10, after: null });
      expect(window).toEqual([]);
    });
  });

  describe('bulk import (the legacy migration)', () => {
    it('imports users as they were; an id or email already here is a conflict, left alone; known ones are replaced', async () => {
      const first = imported();
      const taken = await data().users.create(newUser());
      const sameEmail = imported({ email: taken.email });
      const sameId = imported({ id: taken.id });
      expect((await data().users.importUsers([first, sameEmail, sameId], [])).sort()).toEqual([sameEmail.id, taken.id].sort());
      expect(await data().users.records([first.id, sameEmail.id])).toEqual([{ ...first, deletedAt: null }]);
      expect(await data().users.findByIds([taken.id])).toEqual([taken]);
      // The imported user is a user like any other: found, and signing in with the carried hash.
      expect(await data().users.findCredentials(first.email)).toEqual({ user: expect.objectContaining({ id: first.id, createdAt: first.createdAt }), passwordHash: first.passwordHash });

      const changed = { ...first, name: 'Renamed In Legacy', updatedAt: new Date('2021-05-06T07:08:09.123Z') };
      const gone = imported();
      expect(await data().users.importUsers([], [changed, gone])).toEqual([]);
      expect(await data().users.records([first.id, gone.id])).toEqual(expect.arrayContaining([{ ...changed, deletedAt: null }, { ...gone, deletedAt: null }]));
      // Importing the same again changes nothing and is no conflict.
      expect(await data().users.importUsers([], [changed])).toEqual([]);
    });

    it('imports tombstones by the delete rule, reads every record in id order, and removes by kind', async () => {
      const live = imported();
      await data().users.importUsers([live], []);
      const deleted = newId();
      expect(await data().users.importTombstones([deleted, live.id])).toEqual([live.id]);
      const [tombstone] = await data().users.records([deleted]);
      expect(tombstone).toMatchObject({ id: deleted, email: `deleted:${deleted}`, name: null, passwordHash: null, deletedAt: expect.any(Date) });
      expect(await data().users.statusOf([deleted, live.id])).toEqual(new Map([[deleted, 'deleted'], [live.id, 'live']]));
      expect(await data().users.findByIds([deleted])).toEqual([]);

      const all = await collect(data().users.recordsInIdOrder());
      const ids = all.map((record) => record.id);
      expect(ascending(ids)).toBe(true);
      expect(ids).toEqual(expect.arrayContaining([deleted, live.id]));
      expect(all.find((record) => record.id === deleted)!.deletedAt).toBeInstanceOf(Date);

      await data().users.removeRecords([deleted, live.id], 'tombstones');
      expect((await data().users.records([deleted, live.id])).map((record) => record.id)).toEqual([live.id]);
      await data().users.removeRecords([live.id, 'not-an-id'], 'any');
      expect(await data().users.records([live.id])).toEqual([]);
    });

    it('imports legacy sessions: redeemed once by their old token, re-imports keep that, revoked and removed by id', async () => {
      const userId = newId();
      const secrets = [newSecret(), newSecret(), newSecret()];
      const sessions: LegacySession[] = secrets.map((secret) => ({ id: newId(), userId, tokenHash: hashSecret(secret), expiresAt: new Date(Date.now() + 3_600_000), createdAt: new Date('2024-01-01T00:00:00.000Z') }));
      expect(await data().refreshTokens.importLegacy(sessions, [])).toEqual([]);
      expect(await data().refreshTokens.importLegacy([sessions[0]!], [])).toEqual([sessions[0]!.id]);
      const stored = await data().refreshTokens.legacySessions([...sessions.map((session) => session.id), newId()]);
      expect(stored.sort((a, b) => a.id.localeCompare(b.id))).toEqual([...sessions].sort((a, b) => a.id.localeCompare(b.id)).map((session) => ({ ...session, revokedAt: null })));
      // A token of ours is not a legacy session.
      const ours = await data().refreshTokens.issue(userId);
      expect(await data().refreshTokens.legacySessions([ours.split('.')[0]!])).toEqual([]);

      const redeemed = await data().refreshTokens.redeem(secrets[0]!);
      expect(redeemed).toMatchObject({ ok: true, userId, familyId: sessions[0]!.id });
      // Imported again (its legacy row changed): still spent, so presenting it again is reuse.
      const later = { ...sessions[0]!, expiresAt: new Date(Date.now() + 7_200_000) };
      expect(await data().refreshTokens.importLegacy([], [later])).toEqual([]);
      expect((await data().refreshTokens.legacySessions([later.id]))[0]!.expiresAt).toEqual(later.expiresAt);
      expect(await data().refreshTokens.redeem(secrets[0]!)).toEqual({ ok: false, reason: 'reused' });

      await data().refreshTokens.revokeByIds([sessions[1]!.id]);
      expect(await data().refreshTokens.redeem(secrets[1]!)).toEqual({ ok: false, reason: 'revoked' });
      const inOrder = (await collect(data().refreshTokens.legacySessionsInIdOrder())).map((session) => session.id);
      expect(ascending(inOrder)).toBe(true);
      expect(inOrder).toEqual(expect.arrayContaining(sessions.map((session) => session.id)));
      expect(inOrder).not.toContain(ours.split('.')[0]);

      await data().refreshTokens.removeByIds([sessions[2]!.id]);
      expect(await data().refreshTokens.redeem(secrets[2]!)).toEqual({ ok: false, reason: 'unknown' });
    });

    it('imports audit entries as they were, details included: listed beside the product\'s own, conflicts left alone', async () => {
      const actor = newId();
      const entry = (overrides: Partial<AuditLogEntry> = {}): AuditLogEntry => ({
        id: newId(), createdAt: new Date('2022-02-02T02:02:02.222Z'), service: 'legacy', actorType: 'USER', actorId: actor, actorTeamId: null,
        action: 'UPDATE_PROFILE', resourceType: 'profile', resourceId: null, requestId: null, clientIp: '10.0.0.1', userAgent: 'legacy-ui', details: { field: 'bio', n: 2 }, ...overrides,
      });
      const [withDetails, without] = [entry(), entry({ actorType: 'ANONYMOUS', actorId: null, details: undefined, action: 'LOGIN_FAILED' })];
      const recorded = auditEvent('createTeam', actor, newId());
      await data().auditLog.record(recorded);
      expect(await data().auditLog.importEntries([withDetails!, without!, entry({ id: recorded.id })], [])).toEqual([recorded.id]);
      const mine = await data().auditLog.list({ actorId: actor }, { limit: 10, after: null });
      expect(mine.map((e) => e.id)).toEqual([recorded.id, withDetails!.id]);
      expect(mine[1]).toEqual(withDetails);
      const [stored] = await data().auditLog.entriesByIds([without!.id]);
      expect(stored).not.toHaveProperty('details');
      expect(stored).toEqual({ ...without, details: undefined });

      const replaced = { ...withDetails!, details: { field: 'phone' } };
      expect(await data().auditLog.importEntries([], [replaced, { ...without!, details: { now: 'some' } }])).toEqual([]);
      expect(await data().auditLog.entriesByIds([withDetails!.id])).toEqual([replaced]);
      const ids = (await collect(data().auditLog.entriesInIdOrder())).map((e) => e.id);
      expect(ascending(ids)).toBe(true);
      expect(ids).toEqual(expect.arrayContaining([withDetails!.id, without!.id, recorded.id]));
      await data().auditLog.removeByIds([withDetails!.id, without!.id]);
      expect(await data().auditLog.entriesByIds([withDetails!.id, without!.id, recorded.id])).toEqual([expect.objectContaining({ id: recorded.id })]);
    });
  });

  describe('move adapters (npm run move-store -- users)', () => {
    const adapter = <R extends { id: string }>(kind: string) => data().moveAdapters[kind] as unknown as MoveAdapter<R>;

    it('users: every write bumps the revision; a copy is written only over a lower one; scans in id order, tombstones included', async () => {
      const users = adapter<UserMoveRecord>('users');
      const user = await data().users.create(newUser());
      const [created] = await users.get([user.id]);
      expect(created).toMatchObject({ id: user.id, revision: 0, deletedAt: null, sessionsNotBefore: null, passwordHash: 'hash' });
      await data().users.update(user.id, { name: 'Once' });
      await data().users.update(user.id, { role: 'ADMIN' });
      const [changed] = await users.get([user.id]);
      expect(changed).toMatchObject({ name: 'Once', role: 'ADMIN', revision: 2, sessionsNotBefore: expect.any(Date) });
      // An older state (the backfill's, read before the changes) does not overwrite the newer.
      expect(await users.putIfNewer([created!])).toBe(0);
      expect(await users.putIfNewer([changed!])).toBe(0);
      expect(await users.get([user.id])).toEqual([changed]);
      // A newer one does, whole; a record that is not there is inserted.
      const newer = { ...changed!, name: 'From the other store', revision: 5, deletedAt: new Date('2025-01-01T00:00:00.000Z'), email: `deleted:${user.id}` };
      const absent: UserMoveRecord = { ...newer, id: newId(), email: `absent.${newId()}@example.test`, revision: 3, deletedAt: null, sessionsNotBefore: null };
      expect(await users.putIfNewer([newer, absent])).toBe(2);
      expect(await users.get([user.id, absent.id, newId()])).toEqual(expect.arrayContaining([newer, absent]));
      expect(await data().users.statusOf([user.id])).toEqual(new Map([[user.id, 'deleted']]));
      await data().users.delete(absent.id);
      expect((await users.get([absent.id]))[0]!.revision).toBe(4);

      const scanned: string[] = [];
      for (let page = await users.scan(null, 3); page.length > 0; page = await users.scan(page.at(-1)!.id, 3)) scanned.push(...page.map((record) => record.id));
      expect(ascending(scanned)).toBe(true);
      expect(scanned).toEqual(expect.arrayContaining([user.id, absent.id]));
      expect(await users.count()).toBe(scanned.length);
    });

    it('refresh tokens: a copy only sets the set-once fields still unset, so a spent or revoked token stays so', async () => {
      const tokens = adapter<RefreshTokenRecord>('refresh_tokens');
      const userId = newId();
      const id = newId();
      const token = await data().refreshTokens.issue(userId, undefined, [], id);
      expect(token.startsWith(`${id}.`)).toBe(true);
      const [fresh] = await tokens.get([id]);
      expect(fresh).toMatchObject({ id, userId, familyId: expect.any(String), usedAt: null, revokedAt: null, endedAt: null, legacyTokenHash: null });
      expect((await data().refreshTokens.redeem(token)).ok).toBe(true);
      const [spent] = await tokens.get([id]);
      // The unspent copy (read before) does not unspend it: presenting it again is still reuse.
      expect(await tokens.putIfNewer([fresh!])).toBe(0);
      expect(await tokens.get([id])).toEqual([spent]);
      const revokedElsewhere = { ...spent!, revokedAt: new Date('2030-01-01T00:00:00.000Z'), usedAt: new Date(0) };
      expect(await tokens.putIfNewer([revokedElsewhere])).toBe(1);
      expect(await tokens.get([id])).toEqual([{ ...spent, revokedAt: revokedElsewhere.revokedAt }]);
      expect(await tokens.putIfNewer([revokedElsewhere])).toBe(0);
      const copied: RefreshTokenRecord = { ...fresh!, id: newId(), legacyTokenHash: hashSecret(newSecret()) };
      expect(await tokens.putIfNewer([copied])).toBe(1);
      expect(await tokens.get([copied.id])).toEqual([copied]);

      // The copy is of the same family (and user).
      expect((await data().refreshTokens.familyOf(token)).sort()).toEqual([id, copied.id].sort());
      expect(await data().refreshTokens.familyOf(`${newId()}.x`)).toEqual([]);
      expect((await data().refreshTokens.tokenIdsOf(userId)).sort()).toEqual([id, copied.id].sort());
      const scanned = (await tokens.scan(null, 10_000)).map((record) => record.id);
      expect(ascending(scanned)).toBe(true);
      expect(await tokens.count()).toBe(scanned.length);
    });

    it('audit entries: inserted once, never changed by a copy', async () => {
      const entries = adapter<AuditLogEntry>('audit_logs');
      const event = auditEvent('createTeam', newId(), newId());
      await data().auditLog.record(event);
      const [entry] = await entries.get([event.id]);
      expect(await entries.putIfNewer([{ ...entry!, action: 'changed' }])).toBe(0);
      expect(await entries.get([event.id])).toEqual([entry]);
      const copy = { ...entry!, id: newId(), details: { kept: true } };
      expect(await entries.putIfNewer([copy])).toBe(1);
      expect(await entries.get([copy.id])).toEqual([copy]);
      expect(ascending((await entries.scan(null, 10_000)).map((record) => record.id))).toBe(true);
    });
  });
});

describe('the users move adapters across engines', () => {
  let mongo: Awaited<ReturnType<typeof openMongoUsers>>;
  let postgres: Awaited<ReturnType<typeof openPrismaUsers>>;
  beforeAll(async () => {
    [mongo, postgres] = await Promise.all([openMongoUsers(), openPrismaUsers()]);
  });
  afterAll(async () => {
    await mongo?.close();
    await postgres?.close();
  });

  it('every kind copied from MongoDB to PostgreSQL and back reads the same on both (same checksums)', async () => {
    const source = mongo.store;
    const user = await source.users.create(newUser({ name: 'Copied' }));
    await source.users.update(user.id, { role: 'VENDOR' });
    const gone = await source.users.create(newUser());
    await source.users.delete(gone.id);
    const token = await source.refreshTokens.issue(user.id);
    await source.refreshTokens.redeem(token);
    await source.auditLog.record(auditEvent('createTeam', user.id, newId()));
    await source.refreshTokens.importLegacy([{ id: newId(), userId: user.id, tokenHash: hashSecret(newSecret()), expiresAt: new Date(Date.now() + 60_000), createdAt: new Date() }], []);
    for (const kind of ['users', 'refresh_tokens', 'audit_logs']) {
      const records = await source.moveAdapters[kind]!.scan(null, 10_000);
      expect(records.length).toBeGreaterThan(0);
      expect(await postgres.store.moveAdapters[kind]!.putIfNewer(records)).toBe(records.length);
      const copied = await postgres.store.moveAdapters[kind]!.scan(null, 10_000);
      expect(copied.map(checksum)).toEqual(records.map(checksum));
      // Back again: nothing is newer, so nothing changes.
      expect(await source.moveAdapters[kind]!.putIfNewer(copied)).toBe(0);
    }
    // The copied user signs in and is found on PostgreSQL as on MongoDB.
    expect(await postgres.store.users.findByIds([user.id])).toEqual(await source.users.findByIds([user.id]));
    expect(await postgres.store.users.statusOf([gone.id])).toEqual(new Map([[gone.id, 'deleted']]));
  });
});

describe('the users stores on PostgreSQL, as three service instances on one database', () => {
  let opened: Awaited<ReturnType<typeof openPrismaUsers>>;
  let instances: UsersData[];
  beforeAll(async () => {
    opened = await openPrismaUsers(2);
    instances = [opened.store, ...opened.others];
  });
  afterAll(() => opened.close());

  it('one refresh token redeemed through different instances: exactly one winner', async () => {
    const token = await instances[0]!.refreshTokens.issue(newId());
    const outcomes = await Promise.all(Array.from({ length: 6 }, (_, i) => instances[i % 3]!.refreshTokens.redeem(token)));
    expect(outcomes.filter((outcome) => outcome.ok)).toHaveLength(1);
  });

  it('concurrent registrations of one email through different instances: one wins', async () => {
    const email = `same.${newId()}@example.test`;
    const { won, refused } = await settled(Array.from({ length: 6 }, (_, i) => instances[i % 3]!.users.create(newUser({ email }))));
    expect(won).toHaveLength(1);
    for (const error of refused) expect((error as AppError).extensions.code).toBe('CONFLICT');
  });
});
