// The data inventory, deleting a project (typed confirmation, permanent
// with live progress, or with a restore window), restoring it from
// "Deleted projects", and the "How your data is stored" page.
import { test, expect, uniqueName, expectNoSeriousA11yViolations, apiFor, signInPage } from './fixtures';
import { startBerth, type Berth } from './berth-server';
import type { APIRequestContext } from '@playwright/test';

let berth: Berth;

test.beforeAll(async () => {
  // The embedded Kubernetes API on loopback lets tests hold a deletion with
  // a finalizer; a short stall time shows the "stuck" explanation quickly.
  berth = await startBerth({ args: ['--embedded-api-listen', '127.0.0.1:0', '--deletion-stall-seconds', '2'] });
});

test.afterAll(async () => {
  await berth?.stop();
});

const SECRET = 'never-shown-password-42';

async function api(playwright: { request: { newContext(o: object): Promise<APIRequestContext> } }) {
  return apiFor(playwright, berth);
}

test.beforeEach(async ({ page }) => {
  await signInPage(page, berth);
});

/** Creates an object in the embedded Kubernetes API. */
async function kubeCreate(request: APIRequestContext, path: string, body: object) {
  const response = await request.post(`${berth.kubeUrl}${path}`, { data: body });
  expect(response.status(), await response.text()).toBe(201);
}

const managed = { 'app.kubernetes.io/managed-by': 'berth' };

/** One item of each kind Berth stores, as its features write them. */
async function storeItems(request: APIRequestContext, project: string) {
  const ns = `berth-${project}`;
  const docker = Buffer.from(JSON.stringify({ auths: { 'docker.io': { username: 'ann', password: SECRET } } })).toString('base64');
  await kubeCreate(request, `/api/v1/namespaces/${ns}/secrets`, {
    apiVersion: 'v1', kind: 'Secret',
    metadata: { name: 'dockerhub', labels: { ...managed, 'berth.dev/kind': 'registry-credential' }, annotations: { 'berth.dev/created-by': 'ann' } },
    type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': docker },
  });
  await kubeCreate(request, `/apis/berth.dev/v1alpha1/namespaces/${ns}/imagepointers`, {
    apiVersion: 'berth.dev/v1alpha1', kind: 'ImagePointer',
    metadata: { name: 'web', labels: managed }, spec: { reference: 'docker.io/library/nginx:latest' },
  });
  await kubeCreate(request, `/apis/berth.dev/v1alpha1/namespaces/${ns}/jobtemplates`, {
    apiVersion: 'berth.dev/v1alpha1', kind: 'JobTemplate',
    metadata: { name: 'nightly', labels: managed },
    spec: { imagePointer: 'web', size: 'small', retryLimit: 3, maxExecutionSeconds: 3600 },
  });
}

test('the data page lists every item and where it lives, downloads it, and deletes one after confirming', async ({ page, playwright }) => {
  const request = await api(playwright);
  const project = uniqueName('inv');
  expect((await request.post('/api/v1/projects', { data: { name: project } })).status()).toBe(201);
  await storeItems(request, project);

  await page.goto(`${berth.url}/projects/${project}/data`);
  await expect(page.getByRole('heading', { level: 1, name: 'Data' })).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Project' }).getByRole('link', { name: 'Data' })).toHaveAttribute('aria-current', 'page');
  const table = page.getByRole('table', { name: 'Stored items' });
  // A header, the three items, and the activity log (the project's creation).
  await expect(table.getByRole('row')).toHaveCount(5);
  const credential = table.getByRole('row').filter({ hasText: 'dockerhub' });
  await expect(credential).toContainText('Registry credential');
  await expect(credential).toContainText(`Secret dockerhub in namespace berth-${project}`);
  await expect(credential).toContainText('(kept secret)');
  await expect(credential).toContainText('by ann');
  await expect(table.getByRole('row').filter({ hasText: 'web' })).toContainText(`ImagePointer web in namespace berth-${project}`);
  // Plain words: one of a kind is singular and in lower case mid-sentence,
  // the Kubernetes location is in a disclosure.
  await expect(page.getByRole('region', { name: 'Totals' })).toContainText('1 image');
  await expect(page.getByRole('region', { name: 'Totals' })).not.toContainText('1 images');
  await expect(page.getByRole('region', { name: 'Totals' })).not.toContainText('1 Image');
  // The activity log is called what it is; its ConfigMap's name is a technical detail.
  const log = table.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'Activity log', exact: true }) });
  await expect(log).toHaveCount(1);
  await expect(log.getByRole('rowheader')).not.toContainText('berth-activity');
  await expect(log).toContainText(`ConfigMap berth-activity in namespace berth-${project}`);
  const details = credential.locator('details');
  await expect(details).toHaveJSProperty('open', false);
  await details.getByText('Technical details').click();
  await expect(details).toHaveJSProperty('open', true);
  expect(await page.content()).not.toContain(SECRET);
  await expectNoSeriousA11yViolations(page, 'data');

  const download = page.getByRole('link', { name: 'Download inventory (JSON)' });
  const href = await download.getAttribute('href');
  expect(href).toBe(`/api/v1/projects/${project}/inventory?download=true`);
  const file = await request.get(href!);
  expect(file.headers()['content-disposition']).toContain('attachment');
  expect((await file.json()).items).toHaveLength(4);

  // Escape closes the confirmation and gives focus back.
  const deleteButton = page.getByRole('button', { name: 'Delete job template nightly' });
  await deleteButton.click();
  const dialog = page.getByRole('dialog', { name: 'Delete job template nightly?' });
  await expect(dialog).toBeVisible();
  await expectNoSeriousA11yViolations(page, 'data-delete-dialog');
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(deleteButton).toBeFocused();
  await expect(table.getByRole('row')).toHaveCount(5);

  await deleteButton.click();
  await dialog.getByRole('button', { name: 'Delete', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Job template nightly deleted.' })).toBeVisible();
  await expect(table.getByRole('row')).toHaveCount(4);
  await expect(page.getByRole('heading', { name: 'Stored items' })).toBeFocused();
});

test('deleting permanently needs the typed name and shows live progress until "Deleted project …"', async ({ page, playwright }) => {
  const request = await api(playwright);
  const project = uniqueName('gone');
  expect((await request.post('/api/v1/projects', { data: { name: project } })).status()).toBe(201);
  await storeItems(request, project);
  // Something outside Berth holds the deletion until it lets go.
  await kubeCreate(request, `/api/v1/namespaces/berth-${project}/configmaps`, {
    apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'held', finalizers: ['example.com/hold'] },
  });

  await page.goto(`${berth.url}/projects/${project}/settings`);
  await expect(page.getByRole('heading', { level: 1, name: 'Settings' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Danger zone' })).toBeVisible();
  const open = page.getByRole('button', { name: 'Delete project…' });
  await open.click();
  const dialog = page.getByRole('dialog', { name: `Delete project ${project}?` });
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText('1 image, 1 registry credential, 1 job template and 1 activity log');
  await expect(dialog.getByLabel('Delete with a restore window of 7 days')).toBeChecked();
  await dialog.getByLabel('Delete permanently now').check();

  const confirm = dialog.getByRole('button', { name: 'Delete project' });
  const typed = dialog.getByLabel("Type the project's name to confirm");
  await expect(confirm).toBeDisabled();
  await typed.fill(`${project}x`);
  await expect(confirm).toBeDisabled();
  await typed.fill(project.toUpperCase());
  await expect(confirm).toBeDisabled();
  await expectNoSeriousA11yViolations(page, 'delete-dialog');
  await typed.fill(project);
  await expect(confirm).toBeEnabled();
  await confirm.click();

  const progress = dialog.getByRole('status');
  // In people's words: the held record is counted as what it most often is.
  await expect(progress).toContainText(`Deleting project ${project}. Removing the activity log.`);
  const stuck = dialog.getByRole('alert').filter({ hasText: 'The deletion is stuck.' });
  await expect(stuck).toContainText('configmaps held');
  await expect(stuck).toContainText('administrator');
  await expectNoSeriousA11yViolations(page, 'delete-progress-stalled');

  // The administrator removes the finalizer; the page follows to the end.
  const patch = await request.patch(`${berth.kubeUrl}/api/v1/namespaces/berth-${project}/configmaps/held`, {
    headers: { 'content-type': 'application/merge-patch+json' },
    data: JSON.stringify({ metadata: { finalizers: null } }),
  });
  expect(patch.status()).toBe(200);
  await expect(progress).toHaveText(`Deleted project ${project}.`);
  await expect(progress).toBeFocused();
  await expect(stuck).toBeHidden();
  await dialog.getByRole('link', { name: 'Back to projects' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Projects' })).toBeVisible();
  await expect(page.getByRole('link', { name: project, exact: true })).toBeHidden();
  expect((await request.get(`/api/v1/projects/${project}`)).status()).toBe(404);
});

test('deleting with a restore window, then restoring from "Deleted projects", keeps the data', async ({ page, playwright }) => {
  const request = await api(playwright);
  const project = uniqueName('undo');
  expect((await request.post('/api/v1/projects', { data: { name: project } })).status()).toBe(201);
  await storeItems(request, project);

  await page.goto(`${berth.url}/projects/${project}/settings`);
  await page.getByRole('button', { name: 'Delete project…' }).click();
  const dialog = page.getByRole('dialog', { name: `Delete project ${project}?` });
  await dialog.getByLabel("Type the project's name to confirm").fill(project);
  await dialog.getByRole('button', { name: 'Delete project' }).click();
  await expect(dialog.getByRole('status')).toContainText(`Deleted project ${project}. You can restore it from Deleted projects until`);

  await page.goto(`${berth.url}/projects`);
  await expect(page.getByRole('region', { name: 'Your projects' })).toHaveAttribute('aria-busy', 'false');
  await expect(page.getByRole('link', { name: project, exact: true })).toBeHidden();
  await page.getByRole('link', { name: 'Deleted projects' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Deleted projects' })).toBeVisible();
  const card = page.getByRole('listitem').filter({ hasText: project });
  await expect(card).toContainText('7 days left');
  await expectNoSeriousA11yViolations(page, 'deleted-projects');

  await card.getByRole('button', { name: `Restore ${project}` }).click();
  await expect(page.getByRole('status').filter({ hasText: `Project ${project} restored.` })).toBeVisible();
  await expect(card).toBeHidden();

  await page.goto(`${berth.url}/projects/${project}/data`);
  await expect(page.getByRole('table', { name: 'Stored items' }).getByRole('row')).toHaveCount(5);
});

test('"Delete now" from Deleted projects deletes for good', async ({ page, playwright }) => {
  const request = await api(playwright);
  const project = uniqueName('now');
  expect((await request.post('/api/v1/projects', { data: { name: project } })).status()).toBe(201);
  expect((await request.delete(`/api/v1/projects/${project}?mode=soft`)).status()).toBe(200);

  await page.goto(`${berth.url}/deleted-projects`);
  const card = page.getByRole('listitem').filter({ hasText: project });
  await card.getByRole('button', { name: `Delete ${project} now` }).click();
  const dialog = page.getByRole('dialog', { name: `Delete project ${project} now?` });
  await dialog.getByRole('button', { name: 'Delete now' }).click();
  await expect(page.getByRole('status').filter({ hasText: `Deleted project ${project}` })).toBeVisible();
  await expect(card).toBeHidden();
  expect((await request.get(`/api/v1/projects/${project}`)).status()).toBe(404);
});

test('"How your data is stored" says what is kept, what is never kept, where, and how to delete it', async ({ page }) => {
  await page.goto(`${berth.url}/projects`);
  await page.getByRole('link', { name: 'How your data is stored' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'How your data is stored' })).toBeVisible();
  for (const heading of ['What Berth keeps', 'What Berth never keeps', 'Where it is kept', 'How to delete it']) {
    await expect(page.getByRole('heading', { level: 2, name: heading })).toBeVisible();
  }
  await expect(page.getByRole('main')).toContainText('Your container images. They stay in their registry');
  await expect(page.getByRole('main')).toContainText('Deleted project myproject');
  await expectNoSeriousA11yViolations(page, 'data-storage');
});
