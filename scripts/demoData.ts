/**
 * The small demo data set `npm start` seeds (idempotently: fixed ids, inserted only when missing).
 * The README's example queries use these ids.
 */
const at = (iso: string) => new Date(iso);

/** Every demo user signs in with this password (local demo data only). */
export const DEMO_PASSWORD = 'schemaflow-demo';

export const DEMO_USERS = [
  { _id: '8d7c6f52-1c1e-4c5e-9a43-3f1b2a000001', email: 'grace@schemaflow.dev', name: 'Grace Hopper', role: 'CUSTOMER', emailVerified: true, createdAt: at('2026-01-05T09:00:00Z') },
  { _id: '8d7c6f52-1c1e-4c5e-9a43-3f1b2a000002', email: 'ada@schemaflow.dev', name: 'Ada Lovelace', role: 'ADMIN', emailVerified: true, createdAt: at('2026-01-04T09:00:00Z') },
  { _id: '8d7c6f52-1c1e-4c5e-9a43-3f1b2a000003', email: 'linus@schemaflow.dev', name: 'Linus Torvalds', role: 'VENDOR', emailVerified: false, createdAt: at('2026-01-06T09:00:00Z') },
  { _id: '8d7c6f52-1c1e-4c5e-9a43-3f1b2a000004', email: 'margaret@schemaflow.dev', name: 'Margaret Hamilton', role: 'CUSTOMER', emailVerified: true, createdAt: at('2026-01-07T09:00:00Z') },
] as const;

const [grace, ada, linus, margaret] = DEMO_USERS.map((user) => user._id) as [string, string, string, string];
export const DEMO_USER_IDS = { grace, ada, linus, margaret };

export const DEMO_TEAMS = [
  {
    _id: '5e1d2c3b-7a6f-4e8d-b9c0-2d4e6f000001',
    name: 'Compilers',
    members: [
      { userId: grace, role: 'OWNER', joinedAt: at('2026-01-10T10:00:00Z') },
      { userId: ada, role: 'ADMIN', joinedAt: at('2026-01-11T10:00:00Z') },
      { userId: linus, role: 'MEMBER', joinedAt: at('2026-01-12T10:00:00Z') },
    ],
    createdAt: at('2026-01-10T10:00:00Z'),
  },
  {
    _id: '5e1d2c3b-7a6f-4e8d-b9c0-2d4e6f000002',
    name: 'Apollo Guidance',
    members: [
      { userId: margaret, role: 'OWNER', joinedAt: at('2026-01-13T10:00:00Z') },
      { userId: grace, role: 'MEMBER', joinedAt: at('2026-01-14T10:00:00Z') },
    ],
    createdAt: at('2026-01-13T10:00:00Z'),
  },
] as const;

const [compilers, apollo] = DEMO_TEAMS.map((team) => team._id) as [string, string];

export const DEMO_PROJECTS = [
  { id: '0b9a8c7d-6e5f-4a3b-8c2d-1e0f9a000001', name: 'Checkout API', type: 'GRAPHQL', ownerId: grace, teamId: compilers, createdAt: at('2026-02-01T08:00:00Z') },
  { id: '0b9a8c7d-6e5f-4a3b-8c2d-1e0f9a000002', name: 'Personal notes', type: 'DATABASE', ownerId: grace, teamId: null, createdAt: at('2026-02-02T08:00:00Z') },
  { id: '0b9a8c7d-6e5f-4a3b-8c2d-1e0f9a000003', name: 'Flight software', type: 'REST', ownerId: margaret, teamId: apollo, createdAt: at('2026-02-03T08:00:00Z') },
  { id: '0b9a8c7d-6e5f-4a3b-8c2d-1e0f9a000004', name: 'Analytical engine', type: 'OTHER', ownerId: ada, teamId: null, createdAt: at('2026-02-04T08:00:00Z') },
] as const;

const [checkout, notes, flight] = DEMO_PROJECTS.map((project) => project.id) as [string, string, string, string];

export const DEMO_VERSIONS = [
  { id: '7f6e5d4c-3b2a-4190-8e7d-6c5b4a000001', projectId: checkout, number: 1, authorId: grace, message: 'First draft', document: { types: { Order: { id: 'ID!' } } }, createdAt: at('2026-02-01T09:00:00Z') },
  { id: '7f6e5d4c-3b2a-4190-8e7d-6c5b4a000002', projectId: checkout, number: 2, authorId: ada, message: 'Add Order.total', document: { types: { Order: { id: 'ID!', total: 'Decimal!' } } }, createdAt: at('2026-02-05T09:00:00Z') },
  { id: '7f6e5d4c-3b2a-4190-8e7d-6c5b4a000003', projectId: notes, number: 1, authorId: grace, message: 'Notes table', document: { tables: { notes: ['id', 'body'] } }, createdAt: at('2026-02-02T09:00:00Z') },
  { id: '7f6e5d4c-3b2a-4190-8e7d-6c5b4a000004', projectId: flight, number: 1, authorId: margaret, message: 'Telemetry endpoints', document: { paths: { '/telemetry': ['get'] } }, createdAt: at('2026-02-03T09:00:00Z') },
] as const;

export const DEMO_PAYMENTS = [
  { id: '3c2b1a09-8f7e-4d6c-9b5a-4e3d2c000001', senderId: grace, recipientId: linus, amount: '120.00', currency: 'EUR', status: 'COMPLETED', type: 'INSTANT', description: 'Compiler consulting', history: ['PENDING', 'PROCESSING', 'COMPLETED'], createdAt: at('2026-03-01T12:00:00Z') },
  { id: '3c2b1a09-8f7e-4d6c-9b5a-4e3d2c000002', senderId: linus, recipientId: grace, amount: '15.50', currency: 'EUR', status: 'PENDING', type: 'INSTANT', description: 'Lunch', history: ['PENDING'], createdAt: at('2026-03-02T12:00:00Z') },
  { id: '3c2b1a09-8f7e-4d6c-9b5a-4e3d2c000003', senderId: margaret, recipientId: grace, amount: '99.99', currency: 'USD', status: 'PROCESSING', type: 'SCHEDULED', description: 'Review of the guidance schema', history: ['PENDING', 'PROCESSING'], createdAt: at('2026-03-03T12:00:00Z') },
] as const;

export const DEMO_PROFILES = [
  { id: '9a8b7c6d-5e4f-4302-9180-7a6b5c000001', userId: grace, bio: 'Wrote the first compiler.', phone: '+1 555 0100', address: 'Arlington, VA', avatarUrl: null },
  { id: '9a8b7c6d-5e4f-4302-9180-7a6b5c000002', userId: ada, bio: 'Notes on the Analytical Engine.', phone: null, address: 'London', avatarUrl: null },
] as const;
