import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { createUser, expectNoErrors } from '../support/fixtures';
import { launchChromium, type HeadlessChromium } from '../support/chromium';
import { startStack, type Stack } from '../support/stack';

/**
 * An operator opens the gateway's status page in a real browser (headless Chromium, Debian's
 * package, driven by playwright-core) while a subgraph is stopped, and sees that subgraph marked
 * down and the others ready, with charts, the supergraph's version and the slowest operations.
 * The page loads nothing from anywhere but the gateway. The screenshot is kept in test-artifacts/.
 */
const ARTIFACTS = join(__dirname, '../../test-artifacts');
const SCREENSHOT = join(ARTIFACTS, 'status-page-subgraph-down.png');

let stack: Stack | undefined;
let browser: HeadlessChromium | undefined;
let context: BrowserContext | undefined;

beforeAll(async () => {
  // First: without the browser this fails at once, saying how to get it.
  browser = await launchChromium({ width: 1500, height: 1300 });
  context = browser.context;
  // Production, with the status page turned on: it is off there unless STATUS_PAGE=true.
  stack = await startStack({ gatewayEnv: { NODE_ENV: 'production', STATUS_PAGE: 'true', READINESS_POLL_MS: '300' } });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

test('the status page marks a stopped subgraph down and the others ready', async () => {
  const ann = await createUser(stack!, 'Ann');
  for (let i = 0; i < 3; i++) expectNoErrors(await stack!.query(`query Someone($id: ID!) { user(id: $id) { name profile { bio } } }`, { id: ann }));
  await stack!.stopSubgraph('profiles');
  // Fetches to the stopped one fail meanwhile (its charts show them).
  for (let i = 0; i < 3; i++) await stack!.query(`query Someone($id: ID!) { user(id: $id) { name profile { bio } } }`, { id: ann });

  const gateway = new URL(stack!.gatewayUrl).origin;
  const page = context!.pages()[0] ?? (await context!.newPage());
  const elsewhere: string[] = [];
  context!.on('request', (request) => {
    if (!request.url().startsWith(`${gateway}/`)) elsewhere.push(request.url());
  });
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  try {
    await page.goto(`${gateway}/status`);
    const profiles = page.locator('[data-subgraph="profiles"]');
    await profiles.and(page.locator('[data-state="down"]')).waitFor({ state: 'visible', timeout: 10_000 });
    await page.getByText('1 of 5 subgraphs down').waitFor({ state: 'visible' });
    await profiles.getByText('does not answer').first().waitFor({ state: 'visible' });
    for (const name of ['users', 'teams', 'projects', 'payments']) {
      await page.locator(`[data-subgraph="${name}"][data-state="up"]`).waitFor({ state: 'visible' });
    }
    // Each card charts requests, p50, p99, errors and the breaker; the gateway's too.
    expect(await profiles.locator('svg.chart').count()).toBe(5);
    expect(await page.locator('.card.gateway svg.chart').count()).toBe(4);
    await page.getByText(/^supergraph [0-9a-f]{12}, loaded /).waitFor({ state: 'visible' });
    // The slowest operations list the ones just sent, by name, with their request ids.
    await page.locator('table td', { hasText: 'Someone' }).first().waitFor({ state: 'visible' });
  } catch (error) {
    throw new Error(`${(error as Error).message}\nin the browser: ${JSON.stringify(problems, null, 2)}`, { cause: error });
  } finally {
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
  }
  expect(elsewhere).toEqual([]);
  expect(problems).toEqual([]);
});

test('the page and its assets are compressed and cacheable; its data is never cached and names no internal address', async () => {
  const gateway = new URL(stack!.gatewayUrl).origin;
  const page = await fetch(`${gateway}/status`, { headers: { 'accept-encoding': 'br' } });
  expect(page.status).toBe(200);
  expect(page.headers.get('content-encoding')).toBe('br');
  expect(page.headers.get('cache-control')).toBe('public, max-age=60, must-revalidate');
  expect(page.headers.get('etag')).toMatch(/^"[0-9a-f]{32}"$/);
  const html = await page.text();
  const script = /src="(\/status\/assets\/status\.[0-9a-f]{16}\.js)"/.exec(html)?.[1];
  expect(script).toBeDefined();
  const asset = await fetch(`${gateway}${script}`, { headers: { 'accept-encoding': 'gzip' } });
  expect(asset.headers.get('content-encoding')).toBe('gzip');
  expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  const data = await fetch(`${gateway}/status.json`);
  expect(data.headers.get('cache-control')).toBe('no-store');
  const status = (await data.json()) as { subgraphs: { name: string }[]; supergraph: { hash: string } };
  expect(status.subgraphs.map((s) => s.name).sort()).toEqual(['payments', 'profiles', 'projects', 'teams', 'users']);
  expect(status.supergraph.hash).toMatch(/^[0-9a-f]{64}$/);
  // No internal address in what the page shows.
  expect(JSON.stringify(status)).not.toMatch(/127\.0\.0\.1|http:/);
});
