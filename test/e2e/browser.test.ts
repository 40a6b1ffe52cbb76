import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { DASHBOARD_FOR_USER } from '../../scripts/dashboardQuery';
import { DEMO_PASSWORD } from '../../scripts/demoData';
import { seedDemoData } from '../../scripts/seed';
import { launchChromium, type HeadlessChromium } from '../support/chromium';
import { graphqlPost, startStack, type Stack } from '../support/stack';

/**
 * A person explores the graph in a real browser: headless Chromium (Debian's package, driven by
 * playwright-core) opens the offline explorer of a running stack, runs the README's dashboard
 * query for Grace Hopper from the demo data and sees the answer. The page may load nothing from
 * anywhere but the gateway. The screenshot is kept in test-artifacts/.
 */
const ARTIFACTS = join(__dirname, '../../test-artifacts');
const SCREENSHOT = join(ARTIFACTS, 'explorer-dashboard.png');

/** The README's dashboard query (Grace Hopper is the default id). */
const DASHBOARD = DASHBOARD_FOR_USER;

let stack: Stack | undefined;
let browser: HeadlessChromium | undefined;
let context: BrowserContext | undefined;

beforeAll(async () => {
  // First: without the browser this fails at once, saying how to get it.
  browser = await launchChromium({ width: 1600, height: 1000 });
  context = browser.context;
  stack = await startStack();
  await seedDemoData(stack.databases);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

/**
 * Replaces the text of GraphiQL's query editor (Monaco), then lets GraphiQL prettify it. The text
 * goes in as one line: typed line by line, Monaco would indent every line once more.
 */
async function typeQuery(page: Page, query: string): Promise<void> {
  const editor = page.locator('.graphiql-query-editor .monaco-editor').first();
  await editor.waitFor({ state: 'visible' });
  await editor.click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(query.replace(/\s+/g, ' '));
  await page.keyboard.press('Escape'); // closes any autocompletion popup
  await page.getByRole('button', { name: /prettify/i }).click();
  await editor.click();
  await page.keyboard.press('ControlOrMeta+Home'); // back to the start of the now many-line query
}

/** Types the request headers (JSON) into GraphiQL's Headers tab, as a person signs their requests. */
async function typeHeaders(page: Page, headers: Record<string, string>): Promise<void> {
  await page.getByRole('button', { name: /^headers$/i }).click();
  const editor = page.locator('.graphiql-editor-tool .monaco-editor').last();
  await editor.waitFor({ state: 'visible' });
  await editor.click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(JSON.stringify(headers));
  await page.keyboard.press('Escape');
}

test('the offline explorer runs the dashboard query and shows Grace Hopper’s dashboard', async () => {
  // Grace signs in (demo password) and pastes her access token into the explorer's headers.
  const login = await graphqlPost<{ login: { accessToken: string } }>(
    stack!.gatewayUrl,
    `mutation($input: LoginInput!) { login(input: $input) { accessToken } }`,
    { input: { email: 'grace@schemaflow.dev', password: DEMO_PASSWORD } },
  );
  const token = login.body.data!.login.accessToken;
  const gateway = new URL(stack!.gatewayUrl).origin;
  const page = context!.pages()[0] ?? (await context!.newPage());

  const elsewhere: string[] = [];
  context!.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith(`${gateway}/`) && !url.startsWith('blob:') && !url.startsWith('data:')) elsewhere.push(url);
  });
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  const dashboardResponse = page.waitForResponse(
    (response) => response.url() === stack!.gatewayUrl && (response.request().postData() ?? '').includes('query Dashboard'),
  );

  try {
    await page.goto(`${gateway}/explorer`);
    await page.getByRole('button', { name: /execute query/i }).waitFor({ state: 'visible' });
    await typeQuery(page, DASHBOARD);
    await typeHeaders(page, { Authorization: `Bearer ${token}` });
    await page.getByRole('button', { name: /execute query/i }).click();

    // What went over the wire...
    const response = await dashboardResponse;
    expect(response.status()).toBe(200);
    const body = (await response.json()) as { data: { user: any }; errors?: unknown[] };
    expect(body.errors).toBeUndefined();
    expect(body.data.user).toMatchObject({ name: 'Grace Hopper', email: 'grace@schemaflow.dev' });
    expect(body.data.user.projects.edges.map((edge: any) => edge.node.name)).toContain('Checkout API');

    // ...and what the person sees in the response pane.
    const pane = page.locator('.graphiql-response');
    await pane.getByText('Grace Hopper').first().waitFor({ state: 'visible' });
    await pane.getByText('Checkout API').first().waitFor({ state: 'visible' });
  } catch (error) {
    throw new Error(`${(error as Error).message}\nin the browser: ${JSON.stringify(problems, null, 2)}`, { cause: error });
  } finally {
    // Kept either way: on failure it shows where the page got to.
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: SCREENSHOT });
  }

  expect(elsewhere).toEqual([]);
  expect(problems).toEqual([]);
});
