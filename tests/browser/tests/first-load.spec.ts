// Opening the console: boot.js asks for what the first page needs (the
// config, the session and, on the projects page, the list) while the wasm
// loads; the wasm takes those answers instead of asking again.
import { test, expect, uniqueName } from './fixtures';
import type { Page } from '@playwright/test';

/** Every GET of the API the page makes, by path. */
function apiGets(page: Page): string[] {
  const paths: string[] = [];
  page.on('request', (r) => {
    const path = new URL(r.url()).pathname;
    if (r.method() === 'GET' && path.startsWith('/api/')) paths.push(path);
  });
  return paths;
}

test('the projects list is asked for alongside the session check, and each answer once', async ({ page, request }) => {
  const project = uniqueName('early');
  expect((await request.post('/api/v1/projects', { data: { name: project } })).status()).toBe(201);
  const gets = apiGets(page);
  const complaints: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'warning' || m.type() === 'error') complaints.push(m.text());
  });
  // Hold the session check's answer until the list has been asked for (or
  // 5 s have passed, and then the assertion below fails).
  let listAsked: () => void = () => {};
  const asked = new Promise<void>((resolve) => (listAsked = resolve));
  page.on('request', (r) => {
    if (r.method() === 'GET' && new URL(r.url()).pathname === '/api/v1/projects') listAsked();
  });
  let listBeforeSession = false;
  await page.route('**/api/v1/session', async (route) => {
    listBeforeSession = await Promise.race([asked.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 5_000))]);
    await route.continue();
  });

  await page.goto('/projects');
  await expect(page.getByRole('link', { name: project, exact: true })).toBeVisible();
  await expect(page.getByRole('contentinfo')).toContainText(/Berth \d/);
  expect(listBeforeSession).toBe(true);
  expect(gets.sort()).toEqual(['/api/v1/config', '/api/v1/projects', '/api/v1/session']);
  // Nothing for a developer to wonder about on the console either.
  expect(complaints).toEqual([]);
});

test('a main wasm that is not the one built is refused, and the page says so', async ({ page }) => {
  // Still valid WebAssembly (one more, empty custom section at the end), so
  // only the integrity check can refuse it.
  await page.route((url) => url.pathname.endsWith('/berth-frontend_bg.wasm'), async (route) => {
    const built = await (await route.fetch()).body();
    const customSection = Buffer.from([0, 5, 4, ...Buffer.from('test')]);
    await route.fulfill({ contentType: 'application/wasm', body: Buffer.concat([built, customSection]) });
  });
  await page.goto('/');
  await expect(page.getByRole('alert')).toHaveText(/Berth could not start\./);
  await expect(page.getByRole('heading', { level: 1, name: 'Projects' })).toHaveCount(0);
});

test('opened on another page, the console does not ask for the projects list', async ({ page }) => {
  const gets = apiGets(page);
  await page.goto('/no/such/page');
  await expect(page.getByRole('heading', { level: 1, name: 'Page not found' })).toBeVisible();
  await page.getByRole('link', { name: 'Go to your projects' }).click();
  await expect(page.getByRole('region', { name: 'Your projects' })).toHaveAttribute('aria-busy', 'false');
  // Asked for once, by the projects page when it was opened.
  expect(gets.filter((p) => p === '/api/v1/projects')).toHaveLength(1);
});

test('when the server cannot be reached as the console opens, it says so and recovers', async ({ page }) => {
  await page.route('**/api/v1/session', (route) => route.abort('connectionrefused'));
  await page.goto('/');
  const alert = page.getByRole('alert').filter({ hasText: 'Berth could not be reached.' });
  await expect(alert).toBeVisible();

  await page.unroute('**/api/v1/session');
  await alert.getByRole('button', { name: 'Try again' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Projects' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Your projects' })).toHaveAttribute('aria-busy', 'false');
});

test('while the session answer is slow, the console shows it is loading, then the page', async ({ page }) => {
  let release: () => void = () => {};
  const released = new Promise<void>((resolve) => (release = resolve));
  await page.route('**/api/v1/session', async (route) => {
    await released;
    await route.continue();
  });
  await page.goto('/');
  // The console does not wait for the early answers for long: it starts and
  // says what it is doing.
  await expect(page.getByRole('status').filter({ hasText: 'Loading Berth' })).toBeVisible();
  release();
  await expect(page.getByRole('heading', { level: 1, name: 'Projects' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Your projects' })).toHaveAttribute('aria-busy', 'false');
});
