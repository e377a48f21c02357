// Image pointers against a real registry: add one with a live-normalised
// address and a credential added in place, verify it, see the digest,
// delete it and the credential.
import { test, expect, uniqueName, expectNoSeriousA11yViolations, apiFor, signInPage } from './fixtures';
import { startBerth, type Berth } from './berth-server';
import { startRegistry, type Registry } from './registry';
import { createServer } from 'node:net';

/** A loopback port nothing listens on (taken, then released). */
function unusedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

// A registry, a server and a real check: more than the default 30 s on two shared cores.
test.describe.configure({ timeout: 90_000 });

let registry: Registry;
let berth: Berth;

test.beforeAll(async () => {
  registry = await startRegistry('robot', `Pw-${Math.random().toString(36).slice(2)}`);
  // The registry nobody answers at (below) is on loopback too: an
  // administrator allows that address, or Berth would refuse to contact it.
  berth = await startBerth({ args: ['--insecure-registry', registry.host, '--registry-allow', '127.0.0.1'] });
});

test.afterAll(async () => {
  await berth?.stop();
  await registry?.stop();
});

test.beforeEach(async ({ page }) => {
  await signInPage(page, berth);
});

test('adds an image pointer, verifies it against the registry, deletes it', async ({ page, playwright }) => {
  const pushed = await registry.push('demo/hello', '1.0');
  const project = uniqueName('images');
  const api = await apiFor(playwright, berth);
  expect((await api.post('/api/v1/projects', { data: { name: project } })).status()).toBe(201);

  await page.goto(`${berth.url}/projects/${project}/images`);
  await expect(page.getByRole('heading', { level: 1, name: 'Images' })).toBeVisible();
  await expect(page.getByText('Berth keeps the address of each image, never the image itself.')).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Project' }).getByRole('link', { name: 'Images' })).toHaveAttribute(
    'aria-current',
    'page',
  );
  await expect(page.getByText('This project points at no images yet.')).toBeVisible();

  // Live normalisation while typing.
  await page.getByLabel('Name', { exact: true }).fill('hello');
  const address = page.getByLabel('Image address');
  await address.fill('nginx');
  const preview = page.locator('.ref-preview');
  await expect(preview).toContainText('docker.io/library/nginx:latest');
  await expect(preview).toContainText('library/nginx');
  await address.fill('nginx:');
  await expect(page.locator('#image-reference-error')).toContainText('tag');
  await address.fill(pushed.reference);
  await expect(page.locator('#image-reference-error')).toBeHidden();
  await expect(preview).toContainText(registry.host);
  await expect(preview).toContainText('demo/hello');
  await expect(preview).toContainText('1.0');
  await expectNoSeriousA11yViolations(page, 'images-form');

  // A credential, added in place.
  const add = page.getByRole('button', { name: 'Add a credential' });
  await add.click();
  await expect(add).toHaveAttribute('aria-expanded', 'true');
  await page.getByRole('radio', { name: 'Another registry', exact: true }).check();
  await page.getByLabel('Credential name').fill('local');
  await page.getByLabel('Registry server').fill(registry.host);
  await page.getByLabel('User name').fill(registry.username);
  const password = page.getByLabel('Password', { exact: true });
  await expect(password).toHaveAttribute('type', 'password');
  await password.fill(registry.password);
  await page.getByRole('button', { name: 'Save credential' }).click();
  await expect(page.getByLabel('Registry credential')).toHaveValue('local');
  await expect(password).toBeHidden();

  await page.getByRole('button', { name: 'Add image' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Image pointer hello saved.' })).toBeVisible();
  const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'hello' }) });
  await expect(row).toContainText(pushed.reference);
  await expect(row).toContainText('local');
  await expect(row).toContainText('Not checked yet');

  // Verify against the registry: the digest it reports is shown.
  await page.getByRole('button', { name: 'Verify hello' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'hello exists in its registry.' })).toBeVisible();
  await expect(row).toContainText(pushed.digest);
  await expect(row.locator('time')).toBeVisible();
  expect(await page.content()).not.toContain(registry.password);
  await expectNoSeriousA11yViolations(page, 'images-list-verified');

  // Delete the pointer, then the credential.
  await page.getByRole('button', { name: 'Delete hello' }).click();
  const confirm = page.getByRole('group', { name: 'Delete the image pointer hello?' });
  await expect(confirm).toContainText('The image itself stays in its registry.');
  await confirm.getByRole('button', { name: 'Delete image pointer' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Image pointer hello deleted.' })).toBeVisible();
  await expect(page.getByRole('rowheader', { name: 'hello' })).toHaveCount(0);

  await page.getByRole('navigation', { name: 'Project' }).getByRole('link', { name: 'Registry credentials' }).click();
  await page.getByRole('button', { name: 'Delete local' }).click();
  await page.getByRole('group', { name: 'Delete the credential local?' }).getByRole('button', { name: 'Delete credential' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Credential local deleted.' })).toBeVisible();
  await api.dispose();
});

test('a failed check says why in plain words', async ({ page, playwright }) => {
  const project = uniqueName('badcheck');
  const api = await apiFor(playwright, berth);
  expect((await api.post('/api/v1/projects', { data: { name: project } })).status()).toBe(201);
  const base = `/api/v1/projects/${project}`;
  expect(
    (await api.post(`${base}/registry-credentials`, {
      data: { name: 'wrong', kind: 'other', server: registry.host, username: 'robot', secret: 'not-the-password' },
    })).status(),
  ).toBe(201);
  expect(
    (await api.post(`${base}/images`, { data: { name: 'hello', reference: `${registry.host}/demo/hello:1.0`, credential: 'wrong' } })).status(),
  ).toBe(201);
  await page.goto(`${berth.url}/projects/${project}/images`);
  await page.getByRole('button', { name: 'Verify hello' }).click();
  // Once, in an error banner (not the green status line), which takes focus.
  const alert = page.getByRole('alert').filter({ hasText: 'refused the credentials' });
  await expect(alert).toHaveText(/^hello could not be checked\. The registry .* refused the credentials/);
  await expect(alert).toHaveClass(/banner--error/);
  await expect(alert).toBeFocused();
  await expect(page.getByText('refused the credentials')).toHaveCount(1);
  await expect(page.getByRole('status').filter({ hasText: 'could not be checked' })).toHaveCount(0);
  const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'hello' }) });
  await expect(row).toContainText('Check failed (see above)');
  await expectNoSeriousA11yViolations(page, 'images-check-failed');

  // A registry nobody answers at: the advice is about the network, not the spelling.
  const closed = await unusedPort();
  expect((await api.post(`${base}/images`, { data: { name: 'nowhere', reference: `127.0.0.1:${closed}/demo/hello:1.0` } })).status()).toBe(201);
  await page.reload();
  await page.getByRole('button', { name: 'Verify nowhere' }).click();
  const unreachable = page.getByRole('alert').filter({ hasText: 'could not be checked' });
  await expect(unreachable).toContainText(`could not connect to the registry 127.0.0.1:${closed}`);
  await expect(unreachable).toContainText('ask your administrator');
  await expect(unreachable).not.toContainText('Check the address');
  // After a reload the row keeps the reason, still said once.
  await page.reload();
  await expect(page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'nowhere' }) })).toContainText(`could not connect to the registry 127.0.0.1:${closed}`);
  await expect(page.getByText('could not connect to the registry')).toHaveCount(1);
  await api.dispose();
});
