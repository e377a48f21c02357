// The console inside a portal's iframe, on another origin: the portal hands
// it an OIDC token over postMessage (no third-party cookies needed), the
// person creates a registry credential inside the frame, and the console
// reports its height and where it is.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test, expect } from './fixtures';
import { startBerth, type Berth } from './berth-server';
import { startIssuer, type Issuer } from './oidc';

const AUDIENCE = 'berth-in-portal';

/** The portal page: frames the console and speaks the protocol. */
function portalPage(consoleUrl: string, token: string): string {
  return `<!doctype html><title>Portal</title><h1>Portal</h1>
<iframe title="Berth console" src="${consoleUrl}/projects" width="1000" height="700"></iframe>
<script>
  window.received = [];
  const frame = document.querySelector('iframe');
  window.addEventListener('message', (event) => {
    if (event.origin !== ${JSON.stringify(consoleUrl)}) return;
    window.received.push(event.data);
    if (event.data.type === 'ready') {
      frame.contentWindow.postMessage({ berth: 1, type: 'auth', token: ${JSON.stringify(token)} }, ${JSON.stringify(consoleUrl)});
      frame.contentWindow.postMessage({ berth: 1, type: 'theme', mode: 'dark', tokens: { '--color-primary': 'rgb(1, 2, 3)' } }, ${JSON.stringify(consoleUrl)});
    }
  });
  window.navigateConsole = (path) =>
    frame.contentWindow.postMessage({ berth: 1, type: 'navigate', path }, ${JSON.stringify(consoleUrl)});
</script>`;
}

let issuer: Issuer;
let berth: Berth;
let portal: Server;
let portalOrigin: string;
let page = '';
let intruderPage = '';

test.beforeAll(async () => {
  issuer = await startIssuer();
  portal = createServer((req, res) => {
    res.setHeader('content-type', 'text/html');
    res.end(req.url?.includes('intruder') ? intruderPage : page);
  });
  await new Promise<void>((resolve) => portal.listen(0, '127.0.0.1', resolve));
  portalOrigin = `http://localhost:${(portal.address() as AddressInfo).port}`;
  berth = await startBerth({
    args: ['--oidc-issuer', issuer.url, '--oidc-audience', AUDIENCE, '--allowed-frame-ancestors', portalOrigin],
  });
});

test.afterAll(async () => {
  await berth?.stop();
  await issuer?.stop();
  portal?.close();
});

type Received = { berth: number; type: string; height?: number; path?: string }[];

test('a portal signs the console in with a token and a person creates a credential inside it', async ({ browser }) => {
  const token = issuer.token({ sub: 'portal-user-1', aud: AUDIENCE, name: 'Pat Portal' });
  page = portalPage(berth.url, token);
  // A fresh browser with no Berth cookie at all.
  const context = await browser.newContext();
  const tab = await context.newPage();
  // In a frame the list waits for the portal's token: boot.js does not ask
  // for it early, with no credentials.
  const listsWithoutToken: string[] = [];
  tab.on('request', async (r) => {
    if (r.method() === 'GET' && new URL(r.url()).pathname === '/api/v1/projects' && !(await r.allHeaders())['authorization']) {
      listsWithoutToken.push(r.url());
    }
  });
  await tab.goto(portalOrigin);
  const frame = tab.frameLocator('iframe');
  await expect(frame.getByRole('banner')).toContainText('Signed in as Pat Portal');
  // The portal's token is the portal's to end: no sign-out button.
  await expect(frame.getByRole('button', { name: 'Sign out' })).toHaveCount(0);
  await expect(frame.getByRole('heading', { level: 1, name: 'Projects' })).toBeVisible();
  await expect(frame.getByRole('region', { name: 'Your projects' })).toHaveAttribute('aria-busy', 'false');
  expect(listsWithoutToken).toEqual([]);
  // The theme reached the console through CSS custom properties.
  await expect(frame.locator('html')).toHaveAttribute('data-theme', 'dark');

  await frame.getByLabel('Project name').fill('portal-made');
  await frame.getByRole('button', { name: 'Create project' }).click();
  await frame.getByRole('link', { name: 'portal-made', exact: true }).click();
  await frame.getByRole('navigation', { name: 'Project' }).getByRole('link', { name: 'Registry credentials' }).click();
  await frame.getByLabel('Credential name').fill('hub');
  await frame.getByLabel('Docker ID').fill('patportal');
  await frame.getByLabel('Access token or password', { exact: true }).fill('dckr_pat_portal-secret');
  await frame.getByRole('button', { name: 'Save credential' }).click();
  await expect(frame.getByRole('row', { name: /hub/ })).toContainText('patportal');

  // The console told the portal it is ready, how tall it is, and where.
  const received = () => tab.evaluate(() => (window as unknown as { received: Received }).received);
  await expect.poll(async () => (await received()).map((m) => m.type)).toContain('ready');
  await expect.poll(async () => (await received()).some((m) => m.type === 'resize' && (m.height ?? 0) > 100)).toBe(true);
  await expect
    .poll(async () => (await received()).filter((m) => m.type === 'navigated').map((m) => m.path))
    .toContain('/projects/portal-made/credentials');
  expect((await received()).every((m) => m.berth === 1)).toBe(true);

  // The portal navigates the console.
  await tab.evaluate(() => (window as unknown as { navigateConsole(p: string): void }).navigateConsole('/deleted-projects'));
  await expect(frame.getByRole('heading', { level: 1, name: 'Deleted projects' })).toBeVisible();

  // The credential belongs to the token's person: the project was created as them.
  const project = await fetch(`${berth.url}/api/v1/projects/portal-made`, { headers: { authorization: `Bearer ${token}` } });
  expect(((await project.json()) as { createdBy: string }).createdBy).toBe('portal-user-1');
  await context.close();
});

test('messages from an origin that is not an allowed portal are ignored', async ({ browser }) => {
  const intruderToken = issuer.token({ sub: 'intruder', aud: AUDIENCE, name: 'Intruder' });
  const realToken = issuer.token({ sub: 'portal-user-2', aud: AUDIENCE, name: 'Real Person' });
  // The portal (allowed) frames the console and, beside it, a page of
  // another origin (127.0.0.1 instead of localhost) that keeps posting its
  // own token to the console's frame.
  const intruderUrl = portalOrigin.replace('localhost', '127.0.0.1');
  page = `<!doctype html><title>Portal</title>
<iframe title="Berth console" src="${berth.url}/projects" width="1000" height="600"></iframe>
<iframe title="Other" src="${intruderUrl}/?intruder"></iframe>
<script>
  window.received = [];
  window.addEventListener('message', (event) => window.received.push(event.data));
  window.signIn = () => document.querySelector('iframe').contentWindow.postMessage(
    { berth: 1, type: 'auth', token: ${JSON.stringify(realToken)} }, ${JSON.stringify(berth.url)});
</script>`;
  intruderPage = `<!doctype html><script>
  window.sent = 0;
  setInterval(() => {
    parent.frames[0].postMessage({ berth: 1, type: 'auth', token: ${JSON.stringify(intruderToken)} }, '*');
    window.sent += 1;
  }, 100);
</script>`;
  const context = await browser.newContext();
  const tab = await context.newPage();
  await tab.goto(portalOrigin);
  const frame = tab.frameLocator('iframe[title="Berth console"]');
  await expect(frame.getByRole('heading', { level: 1, name: 'Sign in to Berth' })).toBeVisible();
  // The console is listening (its "ready" reached the portal) while the
  // intruder posts again and again: still nobody is signed in.
  await expect
    .poll(() => tab.evaluate(() => (window as unknown as { received: Received }).received.map((m) => m.type)))
    .toContain('ready');
  const intruder = tab.frames().find((f) => f.url().includes('intruder'));
  const sent = () => intruder!.evaluate(() => (window as unknown as { sent: number }).sent);
  const before = await sent();
  await expect.poll(sent).toBeGreaterThan(before + 5);
  await expect(frame.getByRole('heading', { level: 1, name: 'Sign in to Berth' })).toBeVisible();
  // The real portal's message is taken, and the intruder's never replace it.
  await tab.evaluate(() => (window as unknown as { signIn(): void }).signIn());
  await expect(frame.getByRole('banner')).toContainText('Signed in as Real Person');
  await expect(frame.getByRole('banner')).not.toContainText('Intruder');
  await context.close();
});
