// The project's Activity page: a change made in the console is listed at
// once, newest first, with who made it and how it ended.
import { test, expect, uniqueName, expectNoSeriousA11yViolations } from './fixtures';

test('a change made in the console is on the Activity page with who made it', async ({ page, request }) => {
  const project = uniqueName('activity');
  expect((await request.post('/api/v1/projects', { data: { name: project } })).status()).toBe(201);

  await page.goto(`/projects/${project}/images`);
  await page.getByLabel('Name', { exact: true }).fill('web');
  await page.getByLabel('Image address').fill('nginx:1.27');
  await page.getByRole('button', { name: 'Add image' }).click();
  await expect(page.getByRole('rowheader', { name: 'web' })).toBeVisible();

  const nav = page.getByRole('navigation', { name: 'Project' });
  await nav.getByRole('link', { name: 'Activity' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Activity' })).toBeVisible();
  await expect(nav.getByRole('link', { name: 'Activity' })).toHaveAttribute('aria-current', 'page');
  const rows = page.getByRole('table', { name: 'Changes, newest first' }).getByRole('row');
  await expect(rows).toHaveCount(3);
  const newest = rows.nth(1);
  await expect(newest).toContainText('Created image pointer web');
  await expect(newest).toContainText('admin');
  await expect(newest).toContainText('127.0.0.1');
  // In words, without the HTTP status.
  await expect(newest.getByRole('cell').last()).toHaveText('Created');
  await expect(newest.locator('time')).toHaveAttribute('datetime', /^\d{4}-\d\d-\d\dT.*Z$/);
  await expect(rows.last()).toContainText('Created the project');
  await expectNoSeriousA11yViolations(page, 'activity');

  // A change made elsewhere shows after Refresh.
  expect((await request.delete(`/api/v1/projects/${project}/images/web`)).status()).toBe(204);
  await page.getByRole('button', { name: 'Refresh' }).click();
  await expect(rows).toHaveCount(4);
  await expect(rows.nth(1)).toContainText('Deleted image pointer web');
});
