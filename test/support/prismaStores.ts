import { randomBytes } from 'node:crypto';
import { createPrismaClient } from '../../lib/prisma';
import { prepareDatabase, type PostgresDatabase } from '../../prisma/migrate';
import { PrismaClient as PaymentsClient } from '../../prisma/payments/generated/client';
import { PrismaClient as ProfilesClient } from '../../prisma/profiles/generated/client';
import { PrismaClient as ProjectsClient } from '../../prisma/projects/generated/client';
import type { PaymentStore } from '../../subgraphs/payments/PaymentStore';
import { PrismaPaymentStore } from '../../subgraphs/payments/PrismaPaymentStore';
import type { ProfileStore } from '../../subgraphs/profiles/ProfileStore';
import { PrismaProfileStore } from '../../subgraphs/profiles/PrismaProfileStore';
import type { ProjectStore } from '../../subgraphs/projects/ProjectStore';
import { PrismaProjectStore } from '../../subgraphs/projects/PrismaProjectStore';
import { dropDatabase, testEngines } from './stack';
import type { OpenedStore } from './storeContract';

/** The PostgreSQL stores on a fresh, migrated database of their own, with the Prisma client beside them for checks behind the store's back. */
export interface OpenedPrismaStore<S, C> extends OpenedStore<S> {
  db: C;
}

async function openOn<S, C extends { $disconnect(): Promise<void> }>(
  service: PostgresDatabase,
  client: (url: string) => C,
  store: (db: C) => S,
): Promise<OpenedPrismaStore<S, C>> {
  const url = await prepareDatabase(testEngines().postgresUrl, service, `${service}_store_${randomBytes(4).toString('hex')}`);
  const db = client(url);
  return {
    store: store(db),
    db,
    close: async () => {
      await db.$disconnect();
      await dropDatabase(url);
    },
  };
}

export const openPrismaPaymentStore = (): Promise<OpenedPrismaStore<PaymentStore, PaymentsClient>> =>
  openOn('payments', (url) => createPrismaClient(PaymentsClient, url), (db) => new PrismaPaymentStore(db));

export const openPrismaProjectStore = (): Promise<OpenedPrismaStore<ProjectStore, ProjectsClient>> =>
  openOn('projects', (url) => createPrismaClient(ProjectsClient, url), (db) => new PrismaProjectStore(db));

export const openPrismaProfileStore = (): Promise<OpenedPrismaStore<ProfileStore, ProfilesClient>> =>
  openOn('profiles', (url) => createPrismaClient(ProfilesClient, url), (db) => new PrismaProfileStore(db));
