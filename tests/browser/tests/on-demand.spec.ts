// The console's wasm is split by page: the first page comes with the main
// module, every other page's code is fetched when the page is first opened,
// and a page whose code cannot be fetched says so and can try again.
import { test, expect, uniqueName, expectNoSeriousA11yViolations } from './fixtures';

const pageModule = /\/console-[0-9a-f]+\/(split|chunk)_[a-z0-9_]+\.wasm$/;

test('the projects page loads without any other page’s code, which comes when its page opens', async ({ page, request }) => {
  const project = uniqueName('split');
  expect((await request.post('/api/v1/projects', { data: { name: project } })).status()).toBe(201);
  const fetched: string[] = [];
  page.on('request', (r) => { if (pageModule.test(r.url())) fetched.push(r.url().replace(/.*\//, '')); });

  await page.goto('/projects');
  await expect(page.getByRole('link', { name: project, exact: true })).toBeVisible();
  expect(fetched).toEqual([]);

  await page.getByRole('link', { name: project, exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: project })).toBeVisible();
  expect(fetched).toContain('split_project.wasm');
  expect(fetched.some((name) => name.startsWith('split_') && name !== 'split_project.wasm')).toBe(false);
});

test('a page whose code cannot be fetched says so, and Try again brings it', async ({ page, request }) => {
  const project = uniqueName('split');
  expect((await request.post('/api/v1/projects', { data: { name: project } })).status()).toBe(201);
  await page.route(/split_images\.wasm$/, (route) => route.abort('internetdisconnected'));

  await page.goto(`/projects/${project}`);
  await expect(page.getByRole('heading', { level: 1, name: project })).toBeVisible();
  await page.getByRole('navigation', { name: 'Project' }).getByRole('link', { name: 'Images' }).click();
  const problem = page.getByRole('alert').filter({ hasText: 'This page could not be loaded.' });
  await expect(problem).toBeVisible();
  await expectNoSeriousA11yViolations(page, 'page code not fetched');

  // Back online: the next attempt fetches the module anew.
  await page.unroute(/split_images\.wasm$/);
  await problem.getByRole('button', { name: 'Try again' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Images' })).toBeVisible();
  await expect(problem).toHaveCount(0);
  await expect(page.getByLabel('Image address')).toBeVisible();
});

test('a page whose code fetch is dropped once, as when the network changes, opens without a word', async ({ page, request }) => {
  const project = uniqueName('split');
  expect((await request.post('/api/v1/projects', { data: { name: project } })).status()).toBe(201);
  let asked = 0;
  await page.route(/split_images\.wasm$/, (route) => {
    if (asked++ === 0) return route.abort('connectionreset');
    return route.continue();
  });
  const answered: number[] = [];
  page.on('requestfinished', async (r) => {
    if (/split_images\.wasm$/.test(r.url())) answered.push((await r.response())?.status() ?? 0);
  });

  await page.goto(`/projects/${project}`);
  await expect(page.getByRole('heading', { level: 1, name: project })).toBeVisible();
  await page.getByRole('navigation', { name: 'Project' }).getByRole('link', { name: 'Images' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Images' })).toBeVisible();
  await expect(page.getByLabel('Image address')).toBeVisible();
  // Dropped here, asked again, fetched once. A real network change (the
  // job tests' containers starting beside this test) may drop one more.
  expect(asked).toBeGreaterThanOrEqual(2);
  expect(answered).toEqual([200]);
  await expect(page.getByRole('alert').filter({ hasText: 'could not be loaded' })).toHaveCount(0);
});
