// Registry credentials through the masked forms: Docker Hub and IBM
// Container Registry (API key read from apikey.json in the browser), the
// reveal toggle, write-only storage, deleting.
import { test, expect, uniqueName, expectNoSeriousA11yViolations } from './fixtures';

test('adds Docker Hub and ICR credentials through masked forms, then deletes them', async ({ page, request }) => {
  const project = uniqueName('creds');
  expect((await request.post('/api/v1/projects', { data: { name: project } })).status()).toBe(201);
  const token = `dckr_pat_${Math.random().toString(36).slice(2)}Zq`;
  const apiKey = `IcrKey-${Math.random().toString(36).slice(2)}-x9`;

  await page.goto(`/projects/${project}/credentials`);
  await expect(page.getByRole('heading', { level: 1, name: 'Registry credentials' })).toBeVisible();
  const nav = page.getByRole('navigation', { name: 'Project' });
  await expect(nav.getByRole('link', { name: 'Registry credentials' })).toHaveAttribute('aria-current', 'page');
  await expect(nav.getByRole('link', { name: 'Images' })).not.toHaveAttribute('aria-current', /.*/);
  await expect(page.getByText('This project has no registry credentials yet.')).toBeVisible();

  // Docker Hub is the default kind; its server is fixed.
  await expect(page.getByLabel('Docker Hub')).toBeChecked();
  await expect(page.getByText('https://index.docker.io/v1/')).toBeVisible();

  // Name rules give live feedback.
  const name = page.getByLabel('Credential name');
  await name.fill('Docker_Hub');
  await expect(page.locator('#credential-name-error')).toContainText('not allowed');
  await name.fill('docker-hub');
  await expect(page.locator('#credential-name-error')).toBeHidden();
  await page.getByLabel('Docker ID').fill('berthtester');

  // The masked input: password type, no saving by the browser, a reveal
  // button that says what it will do (show, then hide) and announces the change.
  const secret = page.getByLabel('Access token or password', { exact: true });
  await expect(secret).toHaveAttribute('type', 'password');
  await expect(secret).toHaveAttribute('autocomplete', 'new-password');
  await expect(page.getByText('We recommend a personal access token')).toBeVisible();
  await secret.fill(token);
  const reveal = page.getByRole('button', { name: 'Show access token or password', exact: true });
  await reveal.click();
  const conceal = page.getByRole('button', { name: 'Hide access token or password', exact: true });
  await expect(conceal).toBeVisible();
  await expect(reveal).toHaveCount(0);
  await expect(secret).toHaveAttribute('type', 'text');
  await expect(page.getByRole('status').filter({ hasText: 'The access token or password is visible.' })).toBeAttached();
  await conceal.click();
  await expect(reveal).toBeVisible();
  await expect(secret).toHaveAttribute('type', 'password');
  await expect(page.getByRole('status').filter({ hasText: 'The access token or password is hidden.' })).toBeAttached();
  await expectNoSeriousA11yViolations(page, 'credentials-form-docker-hub');

  await page.getByRole('button', { name: 'Save credential' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Credential docker-hub saved.' })).toBeVisible();
  const hubRow = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'docker-hub' }) });
  await expect(hubRow).toContainText('Docker Hub');
  await expect(hubRow).toContainText('berthtester');
  // The field is cleared and the value is nowhere in the page.
  await expect(secret).toHaveValue('');
  expect(await page.content()).not.toContain(token);

  // IBM Cloud Container Registry: a location, the fixed user, the key from apikey.json.
  // Each kind is named plainly; where it is shows on a line of its own.
  await expect(page.getByRole('radio', { name: 'Docker Hub', exact: true })).toBeVisible();
  await expect(page.getByRole('radio', { name: 'Another registry', exact: true })).toBeVisible();
  await expect(page.getByText('hub.docker.com', { exact: true })).toBeVisible();
  await page.getByRole('radio', { name: 'IBM Cloud Container Registry', exact: true }).check();
  await expect(page.getByText('iamapikey')).toBeVisible();
  await page.getByLabel('Credential name').fill('icr-frankfurt');
  await page.getByLabel('Location').selectOption('de.icr.io');
  const keyField = page.getByLabel('API key', { exact: true });
  await expect(keyField).toHaveAttribute('type', 'password');
  await page.getByLabel('Read the API key from apikey.json').setInputFiles({
    name: 'apikey.json',
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify({ name: 'berth', description: 'test key', createdAt: '2026-01-01', apikey: apiKey })),
  });
  await expect(page.getByRole('status').filter({ hasText: 'The API key was read from apikey.json.' })).toBeVisible();
  await expect(keyField).toHaveValue(apiKey);
  await expect(keyField).toHaveAttribute('type', 'password');
  await expectNoSeriousA11yViolations(page, 'credentials-form-icr');
  // Shown while saving: the toggle is off again afterwards.
  const revealKey = page.getByRole('button', { name: 'Show API key', exact: true });
  await revealKey.click();
  await expect(page.getByRole('button', { name: 'Hide API key', exact: true })).toBeVisible();
  await expect(keyField).toHaveAttribute('type', 'text');
  await page.getByRole('button', { name: 'Save credential' }).click();
  // The message is at the form, in view and focused.
  const saved = page.getByRole('status').filter({ hasText: 'Credential icr-frankfurt saved.' });
  await expect(saved).toBeVisible();
  await expect(saved).toBeFocused();
  await expect(saved).toBeInViewport();
  await expect(revealKey).toBeVisible();
  await expect(page.getByRole('button', { name: 'Hide API key', exact: true })).toHaveCount(0);
  await expect(keyField).toHaveAttribute('type', 'password');
  const icrRow = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'icr-frankfurt' }) });
  await expect(icrRow).toContainText('de.icr.io');
  await expect(icrRow).toContainText('iamapikey');
  await expect(keyField).toHaveValue('');
  expect(await page.content()).not.toContain(apiKey);
  await expectNoSeriousA11yViolations(page, 'credentials-list');

  // The stored values never come back, not even after a reload.
  await page.reload();
  await expect(page.getByRole('rowheader', { name: 'icr-frankfurt' })).toBeVisible();
  const html = await page.content();
  expect(html).not.toContain(token);
  expect(html).not.toContain(apiKey);

  // Delete both, each after a confirmation.
  for (const credential of ['docker-hub', 'icr-frankfurt']) {
    await page.getByRole('button', { name: `Delete ${credential}` }).click();
    const confirm = page.getByRole('group', { name: `Delete the credential ${credential}?` });
    await expect(confirm).toBeVisible();
    await confirm.getByRole('button', { name: 'Delete credential' }).click();
    await expect(page.getByRole('status').filter({ hasText: `Credential ${credential} deleted.` })).toBeVisible();
    await expect(page.getByRole('rowheader', { name: credential })).toHaveCount(0);
  }
  await expect(page.getByText('This project has no registry credentials yet.')).toBeVisible();
});

test('a credential in use shows who uses it before it is deleted', async ({ page, request }) => {
  const project = uniqueName('inuse');
  expect((await request.post('/api/v1/projects', { data: { name: project } })).status()).toBe(201);
  const base = `/api/v1/projects/${project}`;
  expect(
    (await request.post(`${base}/registry-credentials`, {
      data: { name: 'hub', kind: 'docker-hub', username: 'me', secret: 'in-use-secret' },
    })).status(),
  ).toBe(201);
  expect((await request.post(`${base}/images`, { data: { name: 'web', reference: 'nginx', credential: 'hub' } })).status()).toBe(201);

  await page.goto(`/projects/${project}/credentials`);
  const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'hub' }) });
  await expect(row).toContainText('web');
  await page.getByRole('button', { name: 'Delete hub' }).click();
  const confirm = page.getByRole('group', { name: 'Delete the credential hub?' });
  await expect(confirm).toContainText('Used by: web');
  await expectNoSeriousA11yViolations(page, 'credentials-confirm-in-use');
  await confirm.getByRole('button', { name: 'Delete it anyway' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Credential hub deleted.' })).toBeVisible();
});
