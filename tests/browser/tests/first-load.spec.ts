// Opening the console on the projects page: the list is asked for while the
// console checks the session, not after, and only once.
import { test, expect, uniqueName } from './fixtures';

test('the projects list is asked for alongside the session check, once', async ({ page, request }) => {
  const project = uniqueName('early');
  expect((await request.post('/api/v1/projects', { data: { name: project } })).status()).toBe(201);
  // Hold the session check's answer until the list has been asked for (or
  // 5 s have passed, and then the assertion below fails).
  const listRequests: string[] = [];
  let listAsked: () => void = () => {};
  const asked = new Promise<void>((resolve) => (listAsked = resolve));
  page.on('request', (r) => {
    if (r.method() === 'GET' && new URL(r.url()).pathname === '/api/v1/projects') {
      listRequests.push(r.url());
      listAsked();
    }
  });
  let listBeforeSession = false;
  await page.route('**/api/v1/session', async (route) => {
    listBeforeSession = await Promise.race([asked.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 5_000))]);
    await route.continue();
  });

  await page.goto('/projects');
  await expect(page.getByRole('link', { name: project, exact: true })).toBeVisible();
  expect(listBeforeSession).toBe(true);
  expect(listRequests).toHaveLength(1);
});
