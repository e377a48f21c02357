// axe-core scans of every page in its main states: no serious or critical
// violations allowed.
import { test, expect, uniqueName, expectNoSeriousA11yViolations } from './fixtures';

test.describe('empty store', () => {
  test.use({ isolated: true });

  test('projects list, empty', async ({ page }) => {
    await page.goto('/');
    await expect(page.getByText('You have no projects yet.')).toBeVisible();
    await expect(page.getByLabel('Project name')).toBeVisible();
    await expectNoSeriousA11yViolations(page, 'projects-empty');
  });
});

test('projects list, filled, with a form error shown', async ({ page, request }) => {
  for (const name of [uniqueName('alpha'), uniqueName('beta')]) {
    expect((await request.post('/api/v1/projects', { data: { name, description: 'A project' } })).status()).toBe(201);
  }
  await page.goto('/');
  await expect(page.getByRole('listitem').first()).toBeVisible();
  await expectNoSeriousA11yViolations(page, 'projects-filled');

  await page.getByLabel('Project name').fill('Not Valid');
  await expect(page.locator('#project-name-error')).toBeVisible();
  await expectNoSeriousA11yViolations(page, 'projects-form-error');
});

test('project page', async ({ page, request }) => {
  const name = uniqueName('details');
  expect((await request.post('/api/v1/projects', { data: { name, description: 'Details page' } })).status()).toBe(201);
  await page.goto(`/projects/${name}`);
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  await expectNoSeriousA11yViolations(page, 'project');
});

test('project not found', async ({ page }) => {
  await page.goto('/projects/missing-project');
  await expect(page.getByRole('heading', { level: 1, name: 'No project named missing-project' })).toBeVisible();
  await expectNoSeriousA11yViolations(page, 'project-not-found');
});

test('page not found', async ({ page }) => {
  await page.goto('/nothing/here');
  await expect(page.getByRole('heading', { level: 1, name: 'Page not found' })).toBeVisible();
  await expectNoSeriousA11yViolations(page, 'not-found');
});
