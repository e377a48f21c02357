// Signing in with a local account: the one-time password an administrator
// sets must be replaced first; wrong passwords are refused in words; signing
// out ends the session. And project members: an owner adds a viewer, who
// then sees the project but cannot manage it.
import type { Browser, Page } from '@playwright/test';
import { test, expect, uniqueName, expectNoSeriousA11yViolations } from './fixtures';

/** A browser page with no session at all. */
async function freshPage(browser: Browser, baseURL: string | undefined): Promise<Page> {
  const context = await browser.newContext({ baseURL });
  return context.newPage();
}

test('a new account signs in with its one-time password, chooses its own, and signs out', async ({ browser, baseURL, request }) => {
  const user = uniqueName('ann');
  const once = 'one-time password for ann';
  expect((await request.post('/api/v1/users', { data: { name: user, password: once } })).status()).toBe(201);

  const page = await freshPage(browser, baseURL);
  await page.goto('/projects');
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in to Berth' })).toBeVisible();
  await expectNoSeriousA11yViolations(page, 'sign-in');
  const username = page.getByRole('textbox', { name: 'User name' });
  await expect(username).toHaveAttribute('autocomplete', 'username');
  await expect(page.getByLabel('Password', { exact: true })).toHaveAttribute('autocomplete', 'current-password');

  // Nothing typed: said at the fields.
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.locator('#username-error')).toHaveText('Error: Enter your user name.');
  await expect(username).toBeFocused();

  // A wrong password: said for the form; what was typed stays.
  await username.fill(user);
  await page.getByLabel('Password', { exact: true }).fill('not the right one');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'The user name or password is not right.' })).toBeVisible();
  await expect(username).toHaveValue(user);

  await page.getByLabel('Password', { exact: true }).fill(once);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Choose your password' })).toBeVisible();
  await expectNoSeriousA11yViolations(page, 'change-password');
  await page.getByLabel('Current password', { exact: true }).fill(once);
  await page.getByLabel('New password', { exact: true }).fill('short');
  await expect(page.locator('#new-password-error')).toContainText('Use at least 12 characters');
  await page.getByLabel('New password', { exact: true }).fill('anns own long password');
  await page.getByRole('button', { name: 'Save password' }).click();

  // Where she wanted to go, signed in as herself, with her (empty) list: the
  // list asked for before she signed in was refused, and is asked for again.
  await expect(page.getByRole('heading', { level: 1, name: 'Projects' })).toBeVisible();
  await expect(page.getByRole('banner')).toContainText(`Signed in as ${user}`);
  await expect(page.getByText('You have no projects yet.')).toBeVisible();
  // Her session survives a reload (the cookie), and the page never stored a token.
  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: 'Projects' })).toBeVisible();
  expect(await page.evaluate(() => [localStorage.length, sessionStorage.length])).toEqual([0, 0]);
  const cookies = await page.context().cookies();
  expect(cookies.find((c) => c.name === 'berth_session')).toMatchObject({ httpOnly: true, sameSite: 'Strict' });

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in to Berth' })).toBeVisible();
  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in to Berth' })).toBeVisible();
  await page.context().close();
});

test('an owner adds a viewer, who sees the project but cannot manage it', async ({ browser, baseURL, page, request }) => {
  const viewer = uniqueName('vic');
  const once = 'one-time password for vic';
  expect((await request.post('/api/v1/users', { data: { name: viewer, password: once } })).status()).toBe(201);
  const project = uniqueName('shared');
  expect((await request.post('/api/v1/projects', { data: { name: project } })).status()).toBe(201);

  // The administrator created it, so is its owner: add the viewer.
  await page.goto(`/projects/${project}/settings`);
  const members = page.getByRole('region', { name: 'Members' });
  await expect(members.getByRole('row')).toHaveCount(2);
  await members.getByRole('textbox', { name: 'User name or id' }).fill(viewer);
  await members.getByRole('combobox', { name: 'Role', exact: true }).selectOption('viewer');
  await members.getByRole('button', { name: 'Add member' }).click();
  await members.getByRole('button', { name: 'Save members' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Members saved.' })).toBeAttached();
  await expect(members.getByRole('combobox', { name: `Role of ${viewer}` })).toHaveValue('viewer');
  await expectNoSeriousA11yViolations(page, 'members');

  // The last owner cannot be demoted.
  await members.getByRole('combobox', { name: 'Role of admin' }).selectOption('editor');
  await members.getByRole('button', { name: 'Save members' }).click();
  await expect(members.getByRole('alert')).toHaveText('Keep at least one owner.');
  await members.getByRole('combobox', { name: 'Role of admin' }).selectOption('owner');

  // The viewer signs in (choosing a password first) and sees it, read only.
  const other = await freshPage(browser, baseURL);
  await other.goto(`/projects/${project}/settings`);
  await other.getByRole('textbox', { name: 'User name' }).fill(viewer);
  await other.getByLabel('Password', { exact: true }).fill(once);
  await other.getByRole('button', { name: 'Sign in' }).click();
  await other.getByLabel('Current password', { exact: true }).fill(once);
  await other.getByLabel('New password', { exact: true }).fill('vics own long password');
  await other.getByRole('button', { name: 'Save password' }).click();
  await expect(other.getByRole('heading', { level: 1, name: 'Settings' })).toBeVisible();
  const seen = other.getByRole('region', { name: 'Members' });
  await expect(seen.getByRole('row').filter({ hasText: viewer })).toContainText('Viewer');
  await expect(seen.getByRole('button', { name: 'Save members' })).toHaveCount(0);
  await expect(other.getByRole('button', { name: 'Delete project' })).toHaveCount(0);
  await other.context().close();
});
