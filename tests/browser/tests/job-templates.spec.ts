// Job templates in the console: create one with every field from the
// keyboard, see the Job it becomes in its technical details (the secret as a
// secretKeyRef, never the value) and copy it, edit it, meet the 409 of a
// stale edit, duplicate it; axe-clean.
import { test, expect, uniqueName, expectNoSeriousA11yViolations } from './fixtures';

test.describe.configure({ timeout: 90_000 });

const SECRET = 'Tok3n-Browser-5d2e';

test('creates, views as a Job, edits, meets a stale edit and duplicates a template', async ({ page, request: api }) => {
  // A panic in the console's WebAssembly leaves the page unresponsive
  // while it still shows the last status; catch it where it happens.
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  const project = uniqueName('jobs');
  expect((await api.post('/api/v1/projects', { data: { name: project } })).status()).toBe(201);

  await page.goto(`/projects/${project}/job-templates`);
  await expect(page.getByRole('heading', { level: 1, name: 'Job templates' })).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Project' }).getByRole('link', { name: 'Job templates' })).toHaveAttribute(
    'aria-current',
    'page',
  );
  await expect(page.getByText('No job templates yet.')).toBeVisible();

  // Every field, typed and chosen with the keyboard.
  await page.getByLabel('Name', { exact: true }).first().fill('nightly');
  await page.getByLabel('Description').fill('Nightly export');
  await page.getByLabel('Image address').fill('busybox');
  await page.getByRole('button', { name: 'Add command part' }).press('Enter');
  await page.getByRole('group', { name: 'Command part 1' }).getByLabel('Command part', { exact: true }).fill('sh');
  await page.keyboard.press('Tab');
  for (const [i, arg] of ['second', 'first'].entries()) {
    await page.getByRole('button', { name: 'Add argument' }).press('Enter');
    await expect(page.getByRole('group', { name: `Argument ${i + 1}` }).getByLabel('Argument', { exact: true })).toBeFocused();
    await page.keyboard.type(arg);
  }
  // Reorder by keyboard: move argument 2 up.
  await page.getByRole('button', { name: 'Move argument 2 up' }).press('Enter');
  await expect(page.getByRole('group', { name: 'Argument 1' }).getByLabel('Argument', { exact: true })).toHaveValue('first');
  await expect(page.getByRole('group', { name: 'Argument 2' }).getByLabel('Argument', { exact: true })).toHaveValue('second');
  await expect(page.getByRole('button', { name: 'Move argument 1 down' })).toBeFocused();

  await page.getByRole('button', { name: 'Add variable' }).press('Enter');
  await expect(page.getByRole('group', { name: 'Variable 1' }).getByLabel('Name', { exact: true })).toBeFocused();
  await page.keyboard.type('GREETING');
  const v1 = page.getByRole('group', { name: 'Variable 1' });
  await v1.getByRole('textbox', { name: 'Value (optional)', exact: true }).fill('hello');
  await page.getByRole('button', { name: 'Add variable' }).press('Enter');
  await expect(page.getByRole('group', { name: 'Variable 2' }).getByLabel('Name', { exact: true })).toBeFocused();
  await page.keyboard.type('API_TOKEN');
  const v2 = page.getByRole('group', { name: 'Variable 2' });
  await v2.getByRole('switch', { name: 'Sensitive (kept secret)' }).press('Space');
  const secret = v2.getByLabel('Secret value');
  await expect(secret).toHaveAttribute('type', 'password');
  await secret.fill(SECRET);

  await page.getByLabel('CPU and memory').selectOption({ label: '2 CPU, 4 GiB memory' });
  await page.getByRole('textbox', { name: 'Array indices' }).fill('0-9,20');
  await expect(page.getByText('Runs 11 instances.')).toBeVisible();
  await page.getByRole('textbox', { name: 'Array indices' }).fill('0-9,20,30-32');
  await expect(page.getByText('Runs 14 instances.')).toBeVisible();
  await page.getByLabel('Retry limit').fill('5');
  await page.getByLabel('Maximum execution time (seconds)').fill('1800');
  await expectNoSeriousA11yViolations(page, 'job-template-form');
  await page.getByRole('button', { name: 'Create template' }).press('Enter');

  await expect(page.getByRole('status').filter({ hasText: 'Job template nightly saved.' })).toBeVisible();
  const row = page.getByRole('row', { name: /nightly/ });
  await expect(row).toContainText('docker.io/library/busybox:latest');
  await expect(row).toContainText('14');

  // Its technical details, the Kubernetes Job: the secret by reference only.
  await page.getByRole('button', { name: 'Technical details of nightly' }).click();
  await expect(page.getByRole('heading', { name: 'Technical details of nightly' })).toBeFocused();
  const job = page.getByLabel('Job of nightly');
  await expect(job).toContainText('"secretKeyRef"');
  await expect(job).toContainText('"nightly-env"');
  await expect(job).toContainText('"completionMode": "Indexed"');
  await expect(job).not.toContainText(SECRET);
  // Copy puts the text on the clipboard and says so.
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.getByRole('button', { name: 'Copy', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Copied.' })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toContain('"completionMode": "Indexed"');
  await expectNoSeriousA11yViolations(page, 'job-template-job-view');
  expect(await page.content()).not.toContain(SECRET);

  // Edit: the saved secret is kept without retyping.
  await page.getByRole('button', { name: 'Edit nightly' }).click();
  await expect(page.getByText('Changing nightly')).toBeVisible();
  await expect(v2.getByLabel('Secret value')).toHaveValue('');
  await expect(v2.getByText('Saved. Leave empty to keep it')).toBeVisible();
  await page.getByLabel('Description').fill('Edited once');

  // Meanwhile someone else changes it: this save is stale.
  const current = await (await api.get(`/api/v1/projects/${project}/job-templates/nightly`)).json();
  const other = await api.put(`/api/v1/projects/${project}/job-templates/nightly`, {
    headers: { 'If-Match': `"${current.version}"` },
    data: { ...current, description: 'Changed elsewhere' },
  });
  expect(other.status()).toBe(200);
  await page.getByRole('button', { name: 'Save changes' }).click();
  const alert = page.locator('#job-form-error');
  await expect(alert).toContainText('Someone changed this job template after you opened it');
  await expect(page.getByLabel('Description')).toHaveValue('Edited once');

  // The list has the other change; edit again from it: saved.
  await expect(page.getByRole('row', { name: /nightly/ })).toContainText('Changed elsewhere');
  await page.getByRole('button', { name: 'Edit nightly' }).click();
  await expect(page.getByLabel('Description')).toHaveValue('Changed elsewhere');
  // The first save's message is gone, so the one below is this save's.
  await expect(page.getByRole('status').filter({ hasText: 'Job template nightly saved.' })).toHaveCount(0);
  await page.getByLabel('Description').fill('Edited twice');
  expect(pageErrors).toEqual([]);
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Job template nightly saved.' })).toBeVisible();
  await expect(page.getByRole('row', { name: /nightly/ })).toContainText('Edited twice');

  // Duplicate: a new name, the secret copied without being shown.
  await page.getByRole('button', { name: 'Duplicate nightly' }).click();
  await expect(page.getByLabel('Name', { exact: true }).first()).toHaveValue('nightly-copy');
  await page.getByRole('button', { name: 'Create template' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Job template nightly-copy saved.' })).toBeVisible();
  await page.getByRole('button', { name: 'Technical details of nightly-copy' }).click();
  await expect(page.getByLabel('Job of nightly-copy')).toContainText('"nightly-copy-env"');
  await expectNoSeriousA11yViolations(page, 'job-templates-list');
  expect(pageErrors).toEqual([]);
});
