// Job runs in the console, with real containers: Berth runs its Jobs with
// podman (kept in temporary folders), pulling a busybox image built
// `FROM scratch` from a local registry with its htpasswd credential.
// Press Run with overrides, watch the indexes turn succeeded and failed
// live, read logs, rerun the failed index, delete the run; a viewer sees
// the run but not its logs; axe-clean, and at 390×844. Then a Berth that
// cannot run anything says so before anyone presses Run.
import { test, expect, uniqueName, expectNoSeriousA11yViolations, apiFor, signInPage } from './fixtures';
import { changePassword, signIn, startBerth, type Berth } from './berth-server';
import { startRegistry, type Registry } from './registry';
import { PodmanStore, pushBusybox } from './podman';
import type { APIRequestContext, Page } from '@playwright/test';

// Containers start on two shared cores: give the runs time.
test.describe.configure({ timeout: 240_000 });

let registry: Registry;
let engine: PodmanStore;
let berth: Berth;
let image: string;

test.beforeAll(async () => {
  test.setTimeout(180_000);
  registry = await startRegistry('puller', `Pw-${Math.random().toString(36).slice(2)}`);
  image = pushBusybox(registry, 'berth-test/busybox', '1');
  engine = new PodmanStore();
  berth = await startBerth({
    args: ['--container-engine', engine.bin, '--insecure-registry', registry.host, '--max-running-pods', '4'],
    env: engine.env(),
  });
});

test.afterAll(async () => {
  await berth?.stop();
  engine?.remove();
  await registry?.stop();
});

async function ok(response: Promise<{ status(): number; text(): Promise<string> }>, status = 201) {
  const r = await response;
  expect(r.status(), await r.text()).toBe(status);
}

/** Prints its array index (the completion index maps to one of the listed
 *  indices, `BERTH_ARRAY_INDICES`) and the greeting; index 2 fails. */
const SCRIPT = [
  `I=$(echo "$BERTH_ARRAY_INDICES" | busybox awk -F, -v k="$JOB_COMPLETION_INDEX" `,
  `'{n=0; for(i=1;i<=NF;i++){split($i,r,"-"); a=r[1]+0; b=(r[2]=="")?a:r[2]+0; for(j=a;j<=b;j++){if(n==k){print j; exit} n++}}}')`,
  `; echo "index $I says $GREETING"; sleep 2; test "$I" != 2`,
].join('');

/** A project with the registry's credential, the image and a template whose index 2 always fails. */
async function projectWithTemplate(api: APIRequestContext): Promise<string> {
  const project = uniqueName('runs');
  await ok(api.post('/api/v1/projects', { data: { name: project } }));
  const base = `/api/v1/projects/${project}`;
  await ok(api.post(`${base}/registry-credentials`, {
    data: { name: 'local-registry', kind: 'other', server: registry.host, username: registry.username, secret: registry.password },
  }));
  await ok(api.post(`${base}/images`, { data: { name: 'busybox', reference: image, credential: 'local-registry' } }));
  await ok(api.post(`${base}/job-templates`, {
    data: {
      name: 'count',
      imagePointer: 'busybox',
      command: ['/bin/sh', '-c'],
      args: [SCRIPT],
      env: [{ name: 'GREETING', value: 'hello', sensitive: false }],
      size: 'small',
      indices: '0-3',
      retryLimit: 1,
      maxExecutionSeconds: 600,
    },
  }));
  return project;
}

/** The row of index `n` in the indexes table. */
const indexRow = (page: Page, n: number) =>
  page.getByRole('table', { name: 'Indexes of this run' }).getByRole('row', { name: new RegExp(`^Index ${n}\\b`) });

test('runs a template, follows it live, reads logs, reruns the failed index and deletes the run', async ({ page, playwright, browser }) => {
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  const api = await apiFor(playwright, berth);
  const project = await projectWithTemplate(api);
  await signInPage(page, berth);

  await page.goto(`${berth.url}/projects/${project}/job-templates`);
  await page.getByRole('button', { name: 'Run count' }).click();
  const dialog = page.getByRole('dialog', { name: 'Run count' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByLabel('Array indices')).toBeFocused();
  await expect(dialog.getByLabel('Array indices')).toHaveValue('0-3');
  await expect(dialog.getByText('Runs 4 instances.')).toBeVisible();

  // Checked as typed, by the rules the server uses; nothing typed is lost.
  await dialog.getByLabel('Array indices').fill('3-1');
  await expect(dialog.locator('#run-indices-error')).toBeVisible();
  await expect(dialog.getByLabel('Array indices')).toHaveAttribute('aria-invalid', 'true');
  await dialog.getByLabel('Value of GREETING').fill('from the browser');
  await dialog.getByRole('button', { name: 'Start run' }).click();
  await expect(dialog.getByLabel('Array indices')).toBeFocused();
  await expect(dialog.getByLabel('Value of GREETING')).toHaveValue('from the browser');
  await dialog.getByLabel('Array indices').fill('0-3');
  await expect(dialog.locator('#run-indices-error')).toBeHidden();
  await expectNoSeriousA11yViolations(page, 'run-dialog');
  await dialog.getByRole('button', { name: 'Start run' }).click();

  // The run's page: every index, updated by the event stream alone (the
  // page is never loaded again: the marker set now stays).
  await expect(page).toHaveURL(new RegExp(`/projects/${project}/job-runs/count-run-[a-z0-9]+$`));
  const firstRun = page.url().split('/').pop() ?? '';
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(firstRun);
  await page.evaluate(() => ((window as unknown as { stillHere: boolean }).stillHere = true));
  for (const n of [0, 1, 2, 3]) await expect(indexRow(page, n)).toBeVisible();
  await expect(page.getByText('Live: this page updates')).toBeVisible({ timeout: 30_000 });
  await expect(indexRow(page, 0)).toContainText('succeeded', { timeout: 150_000 });
  for (const n of [1, 3]) await expect(indexRow(page, n)).toContainText('succeeded', { timeout: 60_000 });
  await expect(indexRow(page, 2)).toContainText('failed', { timeout: 60_000 });
  await expect(indexRow(page, 2).getByRole('cell').nth(1)).toHaveText('2'); // attempts: one retry
  await expect(page.getByRole('status').filter({ hasText: 'The run failed.' })).toBeVisible();
  await expect(page.getByText('3 succeeded, 1 failed').first()).toBeVisible();
  await expect(page.getByRole('img', { name: 'Of 4 instances: 3 succeeded, 1 failed' })).toBeVisible();
  expect(await page.evaluate(() => (window as unknown as { stillHere?: boolean }).stillHere)).toBe(true);

  // Each index's log, with this run's value.
  await page.getByRole('button', { name: 'Show the log of index 1' }).click();
  await expect(page.getByRole('heading', { name: 'Log of index 1' })).toBeFocused();
  await expect(page.getByLabel('Log of index 1, attempt 1')).toContainText('index 1 says from the browser');
  const download = page.getByRole('link', { name: 'Download the log of index 1, attempt 1' });
  await expect(download).toHaveAttribute('href', /logs\?index=1&attempt=1&download=true$/);
  // Index 2 ran twice: the picker shows either attempt.
  await page.getByRole('button', { name: 'Show the log of index 2' }).click();
  await expect(page.getByLabel('Log of index 2, attempt 2')).toContainText('index 2 says from the browser');
  await page.getByLabel('Attempt', { exact: true }).selectOption('1');
  await expect(page.getByLabel('Log of index 2, attempt 1')).toContainText('index 2 says from the browser');
  await expectNoSeriousA11yViolations(page, 'job-run');

  // A viewer sees the run, and is told plainly why there are no logs.
  await ok(api.post('/api/v1/users', { data: { name: 'run-viewer', password: 'a long one-time password' } }));
  await ok(api.put(`/api/v1/projects/${project}/members`, {
    data: { members: [{ user: 'admin', role: 'owner' }, { user: 'run-viewer', role: 'viewer' }] },
  }), 200);
  const viewer = await changePassword(berth.url, await signIn(berth.url, 'run-viewer', 'a long one-time password'), 'the viewer of runs');
  const viewerContext = await browser.newContext();
  await viewerContext.addCookies([{ name: 'berth_session', value: viewer.cookie, url: berth.url }]);
  const viewerPage = await viewerContext.newPage();
  await viewerPage.goto(`${berth.url}/projects/${project}/job-runs/${firstRun}`);
  await expect(indexRow(viewerPage, 2)).toContainText('failed');
  await expect(viewerPage.getByText("Logs are shown to the project's editors and owners only")).toBeVisible();
  await expect(viewerPage.getByRole('button', { name: /Show the log/ })).toHaveCount(0);
  await expect(viewerPage.getByRole('button', { name: 'Delete run' })).toHaveCount(0);
  await viewerContext.close();

  // Rerun the failed index: a new run of index 2 alone.
  await page.getByRole('button', { name: 'Rerun failed indexes' }).click();
  await expect(page).not.toHaveURL(new RegExp(`${firstRun}$`));
  const rerun = page.url().split('/').pop() ?? '';
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(rerun);
  await expect(page.getByRole('link', { name: firstRun })).toBeVisible();
  await expect(indexRow(page, 2)).toBeVisible();
  await expect(page.getByRole('table', { name: 'Indexes of this run' }).getByRole('row')).toHaveCount(2);
  await expect(indexRow(page, 2)).toContainText('failed', { timeout: 120_000 });

  // Both runs in the list, newest first, with their counts in words.
  await page.getByRole('navigation', { name: 'Project' }).getByRole('link', { name: 'Job runs' }).click();
  const runs = page.getByRole('table', { name: 'Job runs, newest first' });
  await expect(runs.getByRole('row')).toHaveCount(3);
  await expect(runs.getByRole('row').nth(1)).toContainText(rerun);
  await expect(runs.getByRole('row', { name: new RegExp(`^${firstRun} `) })).toContainText('3 succeeded, 1 failed');
  await expectNoSeriousA11yViolations(page, 'job-runs');

  // Delete the first run, after confirming.
  await runs.getByRole('link', { name: firstRun }).click();
  await page.getByRole('button', { name: 'Delete run' }).click();
  const confirm = page.getByRole('dialog', { name: `Delete job run ${firstRun}?` });
  await expect(confirm).toBeVisible();
  await confirm.getByRole('button', { name: 'Delete run' }).click();
  await expect(page).toHaveURL(new RegExp(`/projects/${project}/job-runs$`));
  await expect(page.getByRole('status').filter({ hasText: `Deleted job run ${firstRun}` })).toBeVisible();
  await expect(runs.getByRole('row')).toHaveCount(2);
  expect((await api.get(`/api/v1/projects/${project}/job-runs/${firstRun}`)).status()).toBe(404);
  expect(pageErrors).toEqual([]);
  await api.dispose();
});

test('the run pages fit a phone (390×844)', async ({ page, playwright }) => {
  const api = await apiFor(playwright, berth);
  const project = await projectWithTemplate(api);
  const started = await api.post(`/api/v1/projects/${project}/job-templates/count/runs`, { data: { indices: '0-1' } });
  expect(started.status(), await started.text()).toBe(201);
  const run = (await started.json()).name as string;
  await signInPage(page, berth);
  await page.setViewportSize({ width: 390, height: 844 });

  const fits = async () => {
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
  };
  await page.goto(`${berth.url}/projects/${project}/job-runs/${run}`);
  await expect(indexRow(page, 1)).toContainText('succeeded', { timeout: 150_000 });
  await page.getByRole('button', { name: 'Show the log of index 1' }).click();
  await expect(page.getByLabel('Log of index 1, attempt 1')).toContainText('index 1 says hello');
  await fits();
  await expectNoSeriousA11yViolations(page, 'job-run-phone');

  await page.goto(`${berth.url}/projects/${project}/job-runs`);
  await expect(page.getByRole('table', { name: 'Job runs, newest first' })).toContainText('2 succeeded');
  await fits();
  await expectNoSeriousA11yViolations(page, 'job-runs-phone');

  await page.goto(`${berth.url}/projects/${project}/job-templates`);
  await page.getByRole('button', { name: 'Actions for count' }).click();
  await page.getByRole('button', { name: 'Run count' }).click();
  await expect(page.getByRole('dialog', { name: 'Run count' })).toBeVisible();
  await fits();
  await expectNoSeriousA11yViolations(page, 'run-dialog-phone');
  await api.dispose();
});

test('a live log the network drops carries on where it was, without a word', async ({ page, playwright }) => {
  const api = await apiFor(playwright, berth);
  const project = await projectWithTemplate(api);
  await ok(api.post(`/api/v1/projects/${project}/job-templates`, {
    data: { name: 'slow', imagePointer: 'busybox', command: ['/bin/sh', '-c'], args: ['echo first; sleep 5; echo second; sleep 600'] },
  }));
  const started = await api.post(`/api/v1/projects/${project}/job-templates/slow/runs`, { data: {} });
  expect(started.status(), await started.text()).toBe(201);
  const run = (await started.json()).name as string;
  // The connection drops after the first piece of the first live log, as
  // it does when the machine's network changes (a container starting adds
  // an interface): the page cannot be made to see a real one on demand.
  await page.addInitScript(() => {
    const real = window.fetch.bind(window);
    const state = window as unknown as { followsDropped: number };
    state.followsDropped = 0;
    window.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
      const response = await real(input, init);
      const url = input instanceof Request ? input.url : String(input);
      if (state.followsDropped > 0 || !url.includes('follow=true') || !response.body) return response;
      const reader = response.body.getReader();
      let pieces = 0;
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          if (pieces++ > 0) {
            state.followsDropped += 1;
            await reader.cancel();
            controller.error(new TypeError('network error'));
            return;
          }
          const { value, done } = await reader.read();
          if (done) controller.close();
          else controller.enqueue(value);
        },
      });
      return new Response(body, { status: response.status, headers: response.headers });
    };
  });
  await signInPage(page, berth);

  await page.goto(`${berth.url}/projects/${project}/job-runs/${run}`);
  await expect(indexRow(page, 0)).toContainText('running', { timeout: 150_000 });
  await page.getByRole('button', { name: 'Show the log of index 0' }).click();
  const log = page.getByLabel('Log of index 0, attempt 1');
  // Still running: only the live log can have brought the second line.
  await expect(log).toContainText('second', { timeout: 60_000 });
  await expect(indexRow(page, 0)).toContainText('running');
  expect(await page.evaluate(() => (window as unknown as { followsDropped: number }).followsDropped)).toBe(1);
  expect(await log.textContent()).toBe('first\nsecond\n');
  await expect(page.getByText('Running: new lines appear here as the program prints them.')).toBeVisible();
  await expect(page.getByText('The log could not be read')).toHaveCount(0);

  const deleted = await api.delete(`/api/v1/projects/${project}/job-runs/${run}`);
  expect(deleted.status(), await deleted.text()).toBeLessThan(300);
  await api.dispose();
});

test('a Berth without a container engine says why nothing can run, before anyone presses Run', async ({ page, playwright }) => {
  const plain = await startBerth({ args: ['--container-engine', 'none'] });
  try {
    const api = await apiFor(playwright, plain);
    const project = uniqueName('norun');
    await ok(api.post('/api/v1/projects', { data: { name: project } }));
    await ok(api.post(`/api/v1/projects/${project}/job-templates`, { data: { name: 'later', image: 'busybox' } }));
    await api.dispose();
    await signInPage(page, plain);
    await page.goto(`${plain.url}/projects/${project}/job-templates`);
    const run = page.getByRole('button', { name: 'Run later' });
    await expect(run).toBeDisabled();
    const reason = page.locator('#cannot-run-reason');
    await expect(reason).toBeVisible();
    await expect(reason).toContainText('Jobs cannot run on this Berth');
    await expect(run).toHaveAttribute('aria-describedby', 'cannot-run-reason');
    await expectNoSeriousA11yViolations(page, 'cannot-run');
  } finally {
    await plain.stop();
  }
});
