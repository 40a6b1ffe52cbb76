/** Tests run in three tiers (test/unit, test/integration, test/e2e); the engines they need are
 * started once per run by test/support/globalSetup.ts and shared through environment variables. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  // Jest's module sandbox has no native dynamic import(); CommonJS output turns the one in Prisma's
  // generated client into require(). (Type checking is `tsc --noEmit`, run by `npm test` first.)
  // The OTLP exporter loads node:http with import() too: its transport files get the same treatment.
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: { module: 'commonjs', moduleResolution: 'node' } }],
    'otlp-exporter-base/build/src/.+\\.js$': ['ts-jest', { tsconfig: { allowJs: true, module: 'commonjs', moduleResolution: 'node' } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!(@opentelemetry/exporter-trace-otlp-http/node_modules/)?@opentelemetry/otlp-exporter-base/)'],
  globalSetup: '<rootDir>/test/support/globalSetup.ts',
  globalTeardown: '<rootDir>/test/support/globalTeardown.ts',
  testTimeout: 60_000,
  reporters: ['default', '<rootDir>/test/support/summaryReporter.js'],
  // Two cores: test files share one PostgreSQL and one FerretDB, so two workers is the useful bound.
  maxWorkers: 2,
};
