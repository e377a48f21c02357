// Feedback a person sees: adding a member saves it at once, an unknown
// user is refused there, the signed-in person changes their own password,
// and the projects page says what happened after a deletion.
import { test, expect, uniqueName, expectNoSeriousA11yViolations } from './fixtures';
import { signIn } from './berth-server';

test('adding a member saves it in one step; an unknown user is refused', async ({ page, request }) => {
  const person = uniqueName('amy');
  expect((await request.post('/api/v1/users', { data: { name: person, password: 'one-time password for amy' } })).status()).toBe(201);
  const project = uniqueName('team');
  expect((await request.post('/api/v1/projects', { data: { name: project } })).status()).toBe(201);

  await page.goto(`/projects/${project}/settings`);
  const members = page.getByRole('region', { name: 'Members' });
  const user = members.getByRole('textbox', { name: 'User name or id' });
  await expect(members).toContainText('exactly as typed');

  // Nobody by that name: refused at the field, nothing saved.
  await user.fill('nobody-here');
  await members.getByRole('button', { name: 'Add member' }).click();
  await expect(page.locator('#new-member-user-error')).toContainText('There is no user named “nobody-here”');
  await expect(user).toBeFocused();
  await expect(user).toHaveAttribute('aria-invalid', 'true');
  const stored = await (await request.get(`/api/v1/projects/${project}/members`)).json();
  expect(stored.members.map((m: { user: string }) => m.user)).toEqual(['admin']);
  await expectNoSeriousA11yViolations(page, 'members-unknown-user');

  // A real account: one click adds and saves it, and says so in view.
  await user.fill(person);
  await members.getByRole('combobox', { name: 'Role', exact: true }).selectOption('editor');
  await members.getByRole('button', { name: 'Add member' }).click();
  const status = members.getByRole('status').filter({ hasText: `${person} added as editor.` });
  await expect(status).toBeVisible();
  await expect(user).toHaveValue('');
  await expect(members.getByRole('combobox', { name: `Role of ${person}` })).toHaveValue('editor');
  await page.reload();
  await expect(page.getByRole('region', { name: 'Members' }).getByRole('combobox', { name: `Role of ${person}` })).toHaveValue('editor');
});

test.describe('own password', () => {
  test.use({ isolated: true });

  test('the signed-in person changes their password from the user menu', async ({ page, server }) => {
    await page.goto('/');
    await page.getByRole('link', { name: 'Change password' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Change your password' })).toBeVisible();
    await expectNoSeriousA11yViolations(page, 'change-password');

    await page.getByLabel('Current password', { exact: true }).fill('not the password');
    await page.getByLabel('New password', { exact: true }).fill('a brand new long password');
    await page.getByRole('button', { name: 'Save password' }).click();
    await expect(page.locator('#current-password-error')).toBeVisible();

    await page.getByLabel('Current password', { exact: true }).fill(server.admin.password);
    await page.getByRole('button', { name: 'Save password' }).click();
    const saved = page.getByRole('status').filter({ hasText: 'Your password is changed.' });
    await expect(saved).toBeVisible();
    await expect(saved).toBeFocused();
    await expect(page.getByLabel('Current password', { exact: true })).toHaveValue('');

    // The new one signs in; the old one no longer does.
    await expect(signIn(server.url, 'admin', server.admin.password)).rejects.toThrow();
    await signIn(server.url, 'admin', 'a brand new long password');
  });
});

test('after deleting a project the projects page says so, with the way back', async ({ page, request }) => {
  const project = uniqueName('bye');
  expect((await request.post('/api/v1/projects', { data: { name: project } })).status()).toBe(201);
  await page.goto(`/projects/${project}/settings`);
  await page.getByRole('button', { name: 'Delete project…' }).click();
  const dialog = page.getByRole('dialog', { name: `Delete project ${project}?` });
  await dialog.getByLabel("Type the project's name to confirm").fill(project);
  await dialog.getByRole('button', { name: 'Delete project' }).click();
  await dialog.getByRole('link', { name: 'Back to projects' }).click();
  const said = page.getByRole('status').filter({ hasText: `Deleted project ${project}. Restore it from Deleted projects.` });
  await expect(said).toBeVisible();
  await said.getByRole('link', { name: 'Deleted projects' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Deleted projects' })).toBeVisible();
  await expect(page.getByRole('listitem').filter({ hasText: project })).toBeVisible();
});
