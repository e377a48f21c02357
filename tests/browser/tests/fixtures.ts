// Test fixtures: one berth server per worker (so tests in a worker share a
// store and use unique project names), and `isolated` for the tests that
// need an empty store of their own.
import { test as base, expect, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { startBerth, type Berth } from './berth-server';

type TestFixtures = {
  /** Start a fresh, empty server for this test alone. */
  isolated: boolean;
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
  baseURL: async ({ berth, isolated }, use) => {
    if (!isolated) {
      await use(berth.url);
      return;
    }
    const own = await startBerth();
    await use(own.url);
    await own.stop();
  },
});

export { expect };

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
