// Test fixtures: one berth server per worker (so tests in a worker share a
// store and use unique project names), and `isolated` for the tests that
// need an empty store of their own.
import { test as base, expect, type APIRequestContext, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { sessionHeaders, startBerth, type Berth } from './berth-server';

type TestFixtures = {
  /** Start a fresh, empty server for this test alone. */
  isolated: boolean;
  /** The server this test talks to (the worker's, or its own when isolated). */
  server: Berth;
};
type WorkerFixtures = { berth: Berth };

export const test = base.extend<TestFixtures, WorkerFixtures>({
  isolated: [false, { option: true }],
  berth: [
    async ({}, use) => {
      const berth = await startBerth();
      await use(berth);
      await berth.stop();
    },
    { scope: 'worker' },
  ],
  server: async ({ berth, isolated }, use) => {
    if (!isolated) {
      await use(berth);
      return;
    }
    const own = await startBerth();
    await use(own);
    await own.stop();
  },
  baseURL: async ({ server }, use) => {
    await use(server.url);
  },
  // The page opens the console signed in as the administrator.
  context: async ({ context, server }, use) => {
    await context.addCookies([{ name: 'berth_session', value: server.admin.cookie, url: server.url }]);
    await use(context);
  },
  // API calls made by the tests themselves, with the administrator's session.
  request: async ({ playwright, server }, use) => {
    const request = await playwright.request.newContext({
      baseURL: server.url,
      extraHTTPHeaders: sessionHeaders(server.url, server.admin),
    });
    await use(request);
    await request.dispose();
  },
});

export { expect };

/** API calls to `berth` (a server a spec started itself) as its administrator. */
export function apiFor(
  playwright: { request: { newContext(o: object): Promise<APIRequestContext> } },
  berth: Berth,
): Promise<APIRequestContext> {
  return playwright.request.newContext({ baseURL: berth.url, extraHTTPHeaders: sessionHeaders(berth.url, berth.admin) });
}

/** Opens the console of `berth` (a server a spec started itself) signed in. */
export async function signInPage(page: Page, berth: Berth): Promise<void> {
  await page.context().addCookies([{ name: 'berth_session', value: berth.admin.cookie, url: berth.url }]);
}

/** A project name no other test uses: lowercase, starts with a letter. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
}

/** Runs axe-core (WCAG 2.x A/AA rules) and fails on serious or critical findings. */
export async function expectNoSeriousA11yViolations(page: Page, what: string) {
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'])
    .analyze();
  await test.info().attach(`axe-${what}.json`, {
    body: JSON.stringify(results.violations, null, 2),
    contentType: 'application/json',
  });
  const serious = results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact}: ${v.id} — ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
  expect(serious, `accessibility violations on ${what}`).toEqual([]);
}
