// Every page with data, at a desktop and a phone size: no word is split
// over two lines, no text is wider than its box, nothing is cut off at the
// side, and each row's actions can be reached (on a phone, through the
// row's "Actions" button); the header keeps to one row on a phone, its
// user menu folded behind a "Menu" button.
import { test, expect, uniqueName, apiFor, signInPage, expectNoSeriousA11yViolations } from './fixtures';
import { startBerth, type Berth } from './berth-server';
import { startRegistry, type Registry } from './registry';
import type { Page } from '@playwright/test';

// A registry, a server, a check, and ten pages at two sizes.
test.describe.configure({ timeout: 120_000 });

let registry: Registry;
let berth: Berth;
let project: string;
let deleted: string;

test.beforeAll(async ({ playwright }) => {
  registry = await startRegistry('robot', `Pw-${Math.random().toString(36).slice(2)}`);
  berth = await startBerth({ args: ['--insecure-registry', registry.host] });
  await registry.push('demo/hello', '1.0');
  const api = await apiFor(playwright, berth);
  const ok = async (response: Promise<{ status(): number; text(): Promise<string> }>, status = 201) => {
    const r = await response;
    expect(r.status(), await r.text()).toBe(status);
  };
  project = uniqueName('layout');
  deleted = uniqueName('gone');
  await ok(api.post('/api/v1/projects', { data: { name: project, description: 'Reports for the shop, rebuilt every night from the orders of the day before.' } }));
  await ok(api.post('/api/v1/projects', { data: { name: deleted } }));
  await ok(api.delete(`/api/v1/projects/${deleted}?mode=soft`), 200);
  const base = `/api/v1/projects/${project}`;
  await ok(api.post(`${base}/registry-credentials`, {
    data: { name: 'dockerhub-me', kind: 'docker-hub', username: 'a-rather-long-user-name@example.com', secret: 'not-a-real-token' },
  }));
  await ok(api.post(`${base}/registry-credentials`, {
    data: { name: 'local-registry', kind: 'other', server: registry.host, username: registry.username, secret: registry.password },
  }));
  await ok(api.post(`${base}/images`, { data: { name: 'hello', reference: `${registry.host}/demo/hello:1.0`, credential: 'local-registry' } }));
  await ok(api.post(`${base}/images/hello/verify`), 200);
  await ok(api.post(`${base}/images`, {
    data: { name: 'storefront-application', reference: 'us.icr.io/a-team-with-a-long-namespace/storefront-application:2026.11.05-release-candidate', description: 'The shop as customers see it' },
  }));
  await ok(api.post(`${base}/job-templates`, {
    data: { name: 'nightly-report', description: 'Sums up the orders of the day', imagePointer: 'hello', command: ['/bin/sh', '-c'], args: ['echo done'], size: 'small', indices: '0-9' },
  }));
  await ok(api.post('/api/v1/users', { data: { name: 'viewer-person', password: 'a long one-time password' } }));
  await ok(api.put(`${base}/members`, {
    data: { members: [{ user: 'admin', role: 'owner' }, { user: 'viewer-person', role: 'viewer' }] },
  }), 200);
  await api.dispose();
});

test.afterAll(async () => {
  await berth?.stop();
  await registry?.stop();
});

test.beforeEach(async ({ page }) => {
  await signInPage(page, berth);
});

/** The pages with data, and the heading that says each has loaded. */
function pages(): { path: string; ready: (page: Page) => Promise<void> }[] {
  const table = (name: string) => async (page: Page) => {
    await expect(page.getByRole('table', { name })).toBeVisible();
  };
  return [
    { path: '/', ready: async (page) => { await expect(page.getByRole('link', { name: project })).toBeVisible(); } },
    { path: `/projects/${project}`, ready: async (page) => { await expect(page.getByRole('heading', { level: 1, name: project })).toBeVisible(); } },
    { path: `/projects/${project}/images`, ready: table('Image pointers') },
    { path: `/projects/${project}/credentials`, ready: table('Registry credentials') },
    { path: `/projects/${project}/job-templates`, ready: table('Job templates') },
    { path: `/projects/${project}/data`, ready: table('Stored items') },
    { path: `/projects/${project}/activity`, ready: table('Changes, newest first') },
    { path: `/projects/${project}/settings`, ready: table('Members and their roles') },
    { path: '/deleted-projects', ready: async (page) => { await expect(page.getByText(deleted).first()).toBeVisible(); } },
    { path: '/data-storage', ready: async (page) => { await expect(page.getByRole('heading', { level: 1 })).toBeVisible(); } },
  ];
}

/**
 * What on the page does not fit: text boxes narrower than their content,
 * words split over two lines, and anything that reaches past the sides.
 * A word may wrap after - / : . @ and at a <wbr> (which starts a new text
 * node); anywhere else a split is a broken word.
 */
function misfits(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    const width = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth > width) {
      problems.push(`the page scrolls sideways (${document.documentElement.scrollWidth} > ${width})`);
    }
    const name = (el: Element) =>
      `<${el.tagName.toLowerCase()}${el.className ? ` class="${el.className}"` : ''}> "${(el.textContent ?? '').trim().slice(0, 50)}"`;
    const shown = (el: Element) => {
      if (el.closest('.visually-hidden, [hidden], dialog:not([open]), script, style, pre')) return false;
      const box = el.getBoundingClientRect();
      return box.width > 1 && box.height > 1 && getComputedStyle(el).visibility !== 'hidden';
    };
    for (const el of document.querySelectorAll('body *')) {
      if (!shown(el) || el.matches('input, textarea, select')) continue;
      const style = getComputedStyle(el);
      if (style.display !== 'inline' && el.scrollWidth > el.clientWidth + 1) {
        problems.push(`${name(el)} is narrower than its content (${el.scrollWidth} > ${el.clientWidth})`);
      }
      const box = el.getBoundingClientRect();
      if (box.left < -1 || box.right > width + 1) {
        problems.push(`${name(el)} reaches past the side (${Math.round(box.left)}..${Math.round(box.right)} of ${width})`);
      }
    }
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement;
      if (!parent || !shown(parent)) continue;
      const text = node.textContent ?? '';
      for (const match of text.matchAll(/[^\s/:.@-]*[/:.@-]|[^\s/:.@-]+/g)) {
        if (match[0].length < 2) continue;
        const range = document.createRange();
        range.setStart(node, match.index ?? 0);
        range.setEnd(node, (match.index ?? 0) + match[0].length);
        const lines = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.bottom)));
        if (lines.size > 1) problems.push(`"${match[0]}" in ${name(parent)} is split over ${lines.size} lines`);
      }
    }
    // A <wbr> may follow only / : . @ or a group of a digest's hex digits.
    for (const wbr of document.querySelectorAll('wbr')) {
      let node = wbr.previousSibling;
      while (node && node.nodeType === Node.COMMENT_NODE) node = node.previousSibling;
      const before = node?.textContent ?? '';
      if (!/[/:.@\s]$|^[0-9a-f]{16}$/.test(before)) {
        problems.push(`a line break offered after "${before}" in ${name(wbr.parentElement ?? document.body)}`);
      }
    }
    return problems;
  });
}

for (const size of [
  { name: 'desktop', width: 1280, height: 800, phone: false },
  { name: 'phone', width: 390, height: 844, phone: true },
]) {
  test.describe(`at ${size.width}×${size.height}`, () => {
    test.use({ viewport: { width: size.width, height: size.height } });

    test(`every page with data fits the ${size.name} width without breaking a word`, async ({ page }) => {
      for (const { path, ready } of pages()) {
        await page.goto(`${berth.url}${path}`);
        await ready(page);
        expect(await misfits(page), `${path} at ${size.width} px`).toEqual([]);
      }
    });

    test(`the user menu's choices can be reached at the ${size.name} width (on a phone, behind one "Menu" button in a one-row header)`, async ({ page }) => {
      await page.goto(`${berth.url}/`);
      await expect(page.getByRole('link', { name: project })).toBeVisible();
      const header = page.getByRole('banner');
      const menu = header.getByRole('button', { name: 'Menu' });
      const signOut = header.getByRole('button', { name: 'Sign out' });
      if (!size.phone) {
        await expect(menu).toBeHidden();
        await expect(signOut).toBeVisible();
        return;
      }
      // One row: the product name, the navigation and the menu's button.
      const brand = (await page.locator('.brand').boundingBox())!;
      const button = (await menu.boundingBox())!;
      expect(Math.abs(button.y + button.height / 2 - (brand.y + brand.height / 2))).toBeLessThan(8);
      expect((await header.boundingBox())!.height).toBeLessThan(80);
      await expect(signOut).toBeHidden();
      await expect(menu).toHaveAttribute('aria-expanded', 'false');

      await menu.click();
      await expect(menu).toHaveAttribute('aria-expanded', 'true');
      await expect(header).toContainText('Signed in as admin');
      for (const control of [
        header.getByRole('combobox', { name: 'Appearance' }),
        header.getByRole('combobox', { name: 'Language' }),
        header.getByRole('link', { name: 'Change password' }),
        signOut,
      ]) {
        await expect(control).toBeInViewport({ ratio: 1 });
      }
      expect(await misfits(page)).toEqual([]);
      await expectNoSeriousA11yViolations(page, 'user-menu-phone');
      // Escape folds it and returns to the button.
      await header.getByRole('combobox', { name: 'Appearance' }).focus();
      await page.keyboard.press('Escape');
      await expect(signOut).toBeHidden();
      await expect(menu).toBeFocused();
      await expect(menu).toHaveAttribute('aria-expanded', 'false');
      // A click on the page, below the panel, folds it too.
      await menu.click();
      await expect(signOut).toBeVisible();
      await page.mouse.click(5, size.height - 40);
      await expect(signOut).toBeHidden();
      // Going to another page through it leaves it folded there.
      await menu.click();
      await header.getByRole('link', { name: 'Change password' }).click();
      await expect(page.getByRole('heading', { level: 1, name: 'Change your password' })).toBeVisible();
      await expect(menu).toHaveAttribute('aria-expanded', 'false');
    });

    test(`each row's actions can be reached at the ${size.name} width`, async ({ page }) => {
      const rows: { path: string; row: string; action: string }[] = [
        { path: 'images', row: 'storefront-application', action: 'Delete storefront-application' },
        { path: 'credentials', row: 'dockerhub-me', action: 'Delete dockerhub-me' },
        { path: 'job-templates', row: 'nightly-report', action: 'Delete nightly-report' },
        { path: 'data', row: 'job template nightly-report', action: 'Delete job template nightly-report' },
      ];
      for (const { path, row, action } of rows) {
        await page.goto(`${berth.url}/projects/${project}/${path}`);
        const button = page.getByRole('button', { name: action, exact: true });
        const menu = page.getByRole('button', { name: `Actions for ${row}`, exact: true });
        if (size.phone) {
          await expect(button).toBeHidden();
          await menu.click();
          await expect(menu).toHaveAttribute('aria-expanded', 'true');
        } else {
          await expect(menu).toBeHidden();
        }
        await button.scrollIntoViewIfNeeded();
        await expect(button).toBeInViewport({ ratio: 1 });
        if (size.phone) {
          // Escape folds the actions away again and returns to the menu button.
          await button.focus();
          await page.keyboard.press('Escape');
          await expect(button).toBeHidden();
          await expect(menu).toBeFocused();
        }
      }
      expect(await misfits(page)).toEqual([]);
    });
  });
}
