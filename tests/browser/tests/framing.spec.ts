// Who may put the console in an iframe: nobody by default, only the portal
// origins given with --allowed-frame-ancestors otherwise. The portal is a
// page on another origin (http://localhost:PORT, the console is on
// http://127.0.0.1:PORT), as a real portal would be.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test, expect } from './fixtures';
import { startBerth } from './berth-server';

/** A portal page framing the console at `consoleUrl()`, read per request. */
async function startPortal(consoleUrl: () => string): Promise<{ origin: string; server: Server }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(
      `<!doctype html><title>Portal</title><h1>Portal</h1>` +
        `<iframe title="Berth console" src="${consoleUrl()}/projects" width="900" height="600"></iframe>`,
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { origin: `http://localhost:${port}`, server };
}

test('a page on another origin cannot frame the console by default', async ({ page, berth }) => {
  const portal = await startPortal(() => berth.url);
  try {
    const refusals: string[] = [];
    page.on('console', (m) => refusals.push(m.text()));
    const consoleResponse = page.waitForResponse((r) => r.url().startsWith(`${berth.url}/projects`));
    await page.goto(portal.origin);
    await consoleResponse;
    // The browser refuses the frame because of the policy the console sent.
    await expect.poll(() => refusals.join('\n')).toContain("frame-ancestors 'none'");
    const frame = page.frameLocator('iframe');
    await expect(frame.getByRole('heading', { name: 'Projects' })).toHaveCount(0);
  } finally {
    portal.server.close();
  }
});

test('a portal on the allow-list frames the console', async ({ page }) => {
  // The portal's origin must be known before the console starts.
  let consoleUrl = '';
  const portal = await startPortal(() => consoleUrl);
  const berth = await startBerth({ args: ['--allowed-frame-ancestors', portal.origin] });
  consoleUrl = berth.url;
  try {
    await page.goto(portal.origin);
    const frame = page.frameLocator('iframe');
    // The console loads in the frame. Its sign-in cookie is SameSite=Strict
    // and so never sent inside another site's page: it asks to sign in.
    await expect(frame.getByRole('heading', { level: 1, name: 'Sign in to Berth' })).toBeVisible();
  } finally {
    portal.server.close();
    await berth.stop();
  }
});
