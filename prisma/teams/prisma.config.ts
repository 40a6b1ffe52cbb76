import { defineConfig } from 'prisma/config';

// For Prisma's own CLI where its schema engine can be downloaded (`prisma migrate deploy`,
// `prisma studio`). The service itself reads TEAMS_DATABASE_URL through its config, not this file.
export default defineConfig({
  schema: './schema.prisma',
  migrations: { path: './migrations' },
  datasource: { url: process.env.TEAMS_DATABASE_URL ?? 'postgresql://postgres:postgres@127.0.0.1:5432/teams' },
});
