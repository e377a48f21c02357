// Dark mode and plain words: the console follows the device's dark
// setting, the person can choose light or dark in the user menu (kept as
// one word in localStorage), both pass axe's contrast checks; an image's
// web page pasted as its address gets the address offered.
import { test, expect, uniqueName, expectNoSeriousA11yViolations } from './fixtures';
import type { Page } from '@playwright/test';

const background = (page: Page) => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
const DARK_BG = 'rgb(21, 24, 28)';
const LIGHT_BG = 'rgb(244, 245, 247)';

test('dark on a dark device, with no contrast problem on a list, a form and a data page', async ({ page, request }) => {
  const project = uniqueName('dusk');
  expect((await request.post('/api/v1/projects', { data: { name: project, description: 'Seen in the dark' } })).status()).toBe(201);
  expect((await request.post(`/api/v1/projects/${project}/images`, { data: { name: 'web', reference: 'nginx:1.27' } })).status()).toBe(201);
  await page.emulateMedia({ colorScheme: 'dark' });

  await page.goto('/');
  await expect(page.getByRole('link', { name: project })).toBeVisible();
  expect(await background(page)).toBe(DARK_BG);
  await page.getByLabel('Project name').fill('Not Valid');
  await expect(page.locator('#project-name-error')).toBeVisible();
  await expectNoSeriousA11yViolations(page, 'projects-dark');

  await page.goto(`/projects/${project}/images`);
  await expect(page.getByRole('rowheader', { name: 'web' })).toBeVisible();
  await page.getByRole('button', { name: 'Delete web' }).click();
  await expectNoSeriousA11yViolations(page, 'images-dark');

  await page.goto(`/projects/${project}/data`);
  await expect(page.getByRole('table', { name: 'Stored items' })).toBeVisible();
  await expectNoSeriousA11yViolations(page, 'data-dark');
});

test('the choice in the user menu wins over the device and is remembered as one word', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.goto('/');
  const appearance = page.getByRole('combobox', { name: 'Appearance' });
  await expect(appearance).toHaveValue('device');
  await appearance.selectOption('light');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  expect(await background(page)).toBe(LIGHT_BG);

  await page.reload();
  await expect(page.getByRole('combobox', { name: 'Appearance' })).toHaveValue('light');
  expect(await background(page)).toBe(LIGHT_BG);
  const stored = await page.evaluate(() => Object.fromEntries(Object.entries(localStorage)));
  expect(stored).toEqual({ 'berth-theme': 'light' });

  await page.emulateMedia({ colorScheme: 'light' });
  await page.getByRole('combobox', { name: 'Appearance' }).selectOption('dark');
  expect(await background(page)).toBe(DARK_BG);
  await expectNoSeriousA11yViolations(page, 'projects-chosen-dark');

  await page.getByRole('combobox', { name: 'Appearance' }).selectOption('device');
  await expect(page.locator('html')).not.toHaveAttribute('data-theme', /.*/);
  expect(await background(page)).toBe(LIGHT_BG);
  expect(await page.evaluate(() => localStorage.length)).toBe(0);
});

test('a Docker Hub page pasted as the image address offers the address it stands for', async ({ page, request }) => {
  const project = uniqueName('paste');
  expect((await request.post('/api/v1/projects', { data: { name: project } })).status()).toBe(201);
  await page.goto(`/projects/${project}/images`);
  const address = page.getByLabel('Image address');
  await address.fill('https://hub.docker.com/_/nginx');
  await expect(page.locator('#image-reference-error')).toContainText('Did you mean nginx?');
  await expect(page.getByText('Did you mean nginx?')).toHaveCount(1);
  await page.getByRole('button', { name: 'Use nginx' }).click();
  await expect(address).toHaveValue('nginx');
  await expect(address).toBeFocused();
  await expect(page.getByText('docker.io/library/nginx:latest')).toBeVisible();

  // The server gives the same advice to API callers.
  const refused = await request.post(`/api/v1/projects/${project}/images`, {
    data: { name: 'web', reference: 'https://hub.docker.com/r/bitnami/redis' },
  });
  expect(refused.status()).toBe(422);
  expect(JSON.stringify(await refused.json())).toContain('Did you mean bitnami/redis?');
});
