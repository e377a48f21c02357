// The person's language: the browser's languages pick German or Arabic
// (right to left), the picker in the user menu overrides them and is kept
// as the language tag alone, the server's refusals arrive as codes the
// console says in that language, and both languages pass axe.
import { test, expect, uniqueName, expectNoSeriousA11yViolations } from './fixtures';
import type { APIRequestContext, Page } from '@playwright/test';

/** What the server says, in English, about a project name: the console must say it otherwise. */
async function englishRefusal(request: APIRequestContext, name: string): Promise<string> {
  const refused = await request.post('/api/v1/projects', { data: { name } });
  expect(refused.status()).toBe(422);
  const body = (await refused.json()) as { errors: { field: string; message: string; code: string }[] };
  const error = body.errors.find((e) => e.field === 'name');
  expect(error?.code).toBeTruthy();
  return error!.message;
}

/** A catalog was fetched from the console's folder for `lang`, and only that one. */
function catalogsFetched(page: Page): string[] {
  const seen: string[] = [];
  page.on('request', (r) => {
    const m = /\/locale-([a-z]+)\.json$/.exec(new URL(r.url()).pathname);
    if (m) seen.push(m[1]);
  });
  return seen;
}

test.describe('in German', () => {
  test.use({ locale: 'de-DE' });

  test('the projects page and its form speak German, errors included, with no axe violation', async ({ page, request }) => {
    const project = uniqueName('hafen');
    expect((await request.post('/api/v1/projects', { data: { name: project } })).status()).toBe(201);
    const fetched = catalogsFetched(page);
    await page.goto('/');
    await expect(page.locator('html')).toHaveAttribute('lang', 'de');
    await expect(page.locator('html')).toHaveAttribute('dir', 'ltr');
    await expect(page.getByRole('navigation', { name: 'Hauptnavigation' }).getByRole('link', { name: 'Projekte' })).toBeVisible();
    await expect(page.getByRole('link', { name: project })).toBeVisible();
    expect(fetched).toEqual(['de']);

    // The browser's own check, by the shared rules, in German.
    const english = await englishRefusal(request, 'Not Valid');
    const name = page.getByRole('textbox').first();
    await name.fill('Not Valid');
    const error = page.locator('#project-name-error');
    await expect(error).toBeVisible();
    await expect(error).not.toContainText(english);
    await expectNoSeriousA11yViolations(page, 'projects-de');

    // The server's refusal (a taken name) arrives as a code: said in German too.
    const taken = await request.post('/api/v1/projects', { data: { name: project } });
    const takenBody = (await taken.json()) as { errors: { field: string; message: string; code: string }[] };
    const takenEnglish = takenBody.errors.find((e) => e.field === 'name')!.message;
    await name.fill(project);
    await page.locator('form button[type=submit]').click();
    await expect(error).toBeVisible();
    await expect(error).toContainText(project);
    await expect(error).not.toContainText(takenEnglish);
    await expect(name).toBeFocused();
  });
});

test.describe('in German, the activity log', () => {
  test.use({ locale: 'de-DE' });

  test('says what the server logged in German, not in its English words', async ({ page, request }) => {
    const project = uniqueName('protokoll');
    expect((await request.post('/api/v1/projects', { data: { name: project } })).status()).toBe(201);
    const web = { name: 'web', reference: 'nginx:1.27' };
    expect((await request.post(`/api/v1/projects/${project}/images`, { data: web })).status()).toBe(201);
    await page.goto(`/projects/${project}/activity`);
    const changes = page.getByRole('table');
    await expect(changes.getByRole('row')).toHaveCount(3);
    await expect(changes).toContainText('Projekt angelegt');
    await expect(changes).toContainText('Image-Verweis web angelegt');
    await expect(changes).not.toContainText('Created');
  });
});

test.describe('in English, in another time zone', () => {
  test.use({ locale: 'en-IN', timezoneId: 'Asia/Kolkata' });

  test('dates read as the browser writes English, in the reader\'s time zone, the whole instant in a tooltip', async ({ page, request }) => {
    const project = uniqueName('dates');
    expect((await request.post('/api/v1/projects', { data: { name: project } })).status()).toBe(201);
    await page.goto('/');
    const time = page.getByRole('listitem').filter({ has: page.getByRole('link', { name: project }) }).locator('time');
    await expect(time).toBeVisible();
    const [shown, title, wanted, wantedTitle] = await time.evaluate((el) => {
      const at = new Date(el.getAttribute('datetime')!);
      return [
        el.textContent,
        el.getAttribute('title'),
        new Intl.DateTimeFormat('en', { dateStyle: 'medium' }).format(at),
        new Intl.DateTimeFormat('en', { dateStyle: 'full', timeStyle: 'long' }).format(at),
      ];
    });
    expect(shown).toBe(wanted);
    expect(title).toBe(wantedTitle);
    expect(title).toContain('GMT+5:30');
  });
});

test.describe('in Arabic', () => {
  test.use({ locale: 'ar-EG' });

  test('the console is laid out right to left, and the projects page and a form pass axe', async ({ page, request }) => {
    const project = uniqueName('marfa');
    expect((await request.post('/api/v1/projects', { data: { name: project } })).status()).toBe(201);
    await page.goto('/');
    await expect(page.locator('html')).toHaveAttribute('lang', 'ar');
    await expect(page.locator('html')).toHaveAttribute('dir', 'rtl');
    await expect(page.getByRole('link', { name: project })).toBeVisible();
    // Mirrored: the product name starts the header on the right.
    const width = page.viewportSize()!.width;
    const brand = (await page.locator('.brand').boundingBox())!;
    expect(brand.x).toBeGreaterThan(width / 2);
    await expectNoSeriousA11yViolations(page, 'projects-ar');

    await page.goto(`/projects/${project}/images`);
    await expect(page.locator('html')).toHaveAttribute('dir', 'rtl');
    const english = 'Images';
    await expect(page.getByRole('heading', { level: 1 })).not.toHaveText(english);
    await page.locator('form button[type=submit]').click();
    await expect(page.locator('#image-name-error')).toBeVisible();
    await expectNoSeriousA11yViolations(page, 'images-form-ar');
  });
});

test('the language picked in the user menu wins over the browser and is kept as its tag alone', async ({ page }) => {
  await page.goto('/');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  const language = page.getByRole('combobox', { name: 'Language' });
  await language.selectOption('ja');
  await expect(page.locator('html')).toHaveAttribute('lang', 'ja');
  await expect(page.getByRole('link', { name: 'プロジェクト' }).first()).toBeVisible();
  // Redrawn in Japanese, and the picker is still where it was.
  await expect(page.getByRole('combobox', { name: '言語' })).toHaveValue('ja');

  await page.reload();
  await expect(page.locator('html')).toHaveAttribute('lang', 'ja');
  const stored = await page.evaluate(() => Object.fromEntries(Object.entries(localStorage)));
  expect(stored).toEqual({ 'berth-locale': 'ja' });

  await page.getByRole('combobox', { name: '言語' }).selectOption('');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  expect(await page.evaluate(() => localStorage.length)).toBe(0);
});
