// Creating, listing and opening projects through the console's forms.
import { test, expect, uniqueName } from './fixtures';

test.describe('projects', () => {
  test('creates a project through the form; it is listed, and still is after a reload', async ({ page }) => {
    const name = uniqueName('shop');
    await page.goto('/');
    await expect(page.getByRole('heading', { level: 1, name: 'Projects' })).toBeVisible();
    // The list has finished loading before we type.
    await expect(page.getByRole('region', { name: 'Your projects' })).toHaveAttribute('aria-busy', 'false');

    await page.getByLabel('Project name').fill(name);
    await page.getByLabel('Description').fill('The web shop and its jobs');

    // Hold the request to see the in-flight state, then let it through.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/api/v1/projects', async (route) => {
      if (route.request().method() === 'POST') await held;
      await route.continue();
    });
    const submit = page.getByRole('button', { name: 'Create project' });
    await submit.click();
    const creating = page.getByRole('button', { name: 'Creating…' });
    await expect(creating).toBeDisabled();
    release();

    // Said at the form, in view and focused.
    const created = page.getByRole('status').filter({ hasText: `Project ${name} created.` });
    await expect(created).toBeVisible();
    await expect(created).toBeFocused();
    const link = page.getByRole('link', { name, exact: true });
    await expect(link).toBeVisible();
    await expect(page.getByRole('listitem').filter({ has: link })).toContainText('The web shop and its jobs');
    // The form is ready for the next project.
    await expect(page.getByLabel('Project name')).toHaveValue('');
    await expect(submit).toBeEnabled();

    await page.reload();
    await expect(page.getByRole('link', { name, exact: true })).toBeVisible();
  });

  test('opens a project page with its details and a way back', async ({ page, request }) => {
    const name = uniqueName('jobs');
    const created = await request.post('/api/v1/projects', {
      data: { name, description: 'Nightly batch jobs' },
    });
    expect(created.status()).toBe(201);
    const project = await created.json();

    await page.goto('/projects');
    await page.getByRole('link', { name, exact: true }).click();

    await expect(page).toHaveURL(new RegExp(`/projects/${name}$`));
    await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
    // Focus follows the navigation to the new page's content.
    await expect(page.getByRole('main')).toBeFocused();
    const nav = page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Projects' });
    await expect(nav).toHaveAttribute('aria-current', 'location');
    const details = page.getByRole('region', { name: 'Details' });
    await expect(details).toContainText('Nightly batch jobs');
    // Where Kubernetes keeps it is a technical detail, folded away.
    await expect(details.locator('details')).toHaveJSProperty('open', false);
    await expect(details).toContainText(project.namespace);
    await expect(details).toContainText('Active');
    await expect(details.locator('time')).toHaveAttribute('datetime', project.createdAt);
    await expect(page).toHaveTitle(`${name} · Berth`);

    const breadcrumb = page.getByRole('navigation', { name: 'Breadcrumb' });
    await breadcrumb.getByRole('link', { name: 'Projects' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Projects' })).toBeVisible();
    await expect(nav).toHaveAttribute('aria-current', 'page');
  });

  test('links change the page without reloading it; back and forward work', async ({ page, request }) => {
    const name = uniqueName('nav');
    expect((await request.post('/api/v1/projects', { data: { name } })).status()).toBe(201);
    await page.goto('/projects');
    // A marker on the window survives in-app navigation, not a reload.
    await page.evaluate(() => ((window as unknown as { berthMarker: number }).berthMarker = 1));
    const marker = () => page.evaluate(() => (window as unknown as { berthMarker?: number }).berthMarker);

    await page.getByRole('link', { name, exact: true }).click();
    await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
    await page.getByRole('navigation', { name: 'Project' }).getByRole('link', { name: 'Images' }).click();
    await expect(page).toHaveURL(new RegExp(`/projects/${name}/images$`));
    await expect(page.getByRole('heading', { level: 1, name: 'Images' })).toBeVisible();
    expect(await marker()).toBe(1);

    await page.goBack();
    await expect(page).toHaveURL(new RegExp(`/projects/${name}$`));
    await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
    await page.goBack();
    await expect(page.getByRole('heading', { level: 1, name: 'Projects' })).toBeVisible();
    await page.goForward();
    await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
    expect(await marker()).toBe(1);

    // A click with a modifier is the browser's (open in a new tab): the page stays.
    const [popup] = await Promise.all([
      page.context().waitForEvent('page'),
      page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: 'Projects' }).click({ modifiers: ['ControlOrMeta'] }),
    ]);
    await popup.close();
    await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
    expect(await marker()).toBe(1);
  });

  test('the skip link takes keyboard users to the content', async ({ page }) => {
    await page.goto('/');
    await expect(page.getByRole('heading', { level: 1, name: 'Projects' })).toBeVisible();
    await page.keyboard.press('Tab');
    const skip = page.getByRole('link', { name: 'Skip to content' });
    await expect(skip).toBeFocused();
    await expect(skip).toBeInViewport();
    await page.keyboard.press('Enter');
    await expect(page.getByRole('main')).toBeFocused();
  });

  test('says so when a project does not exist', async ({ page }) => {
    await page.goto('/projects/no-such-project');
    await expect(page.getByRole('heading', { level: 1, name: 'No project named no-such-project' })).toBeVisible();
    await expect(page.getByRole('link', { name: 'See your projects' })).toBeVisible();
  });

  test('shows the footer version from the config', async ({ page, request }) => {
    const config = await (await request.get('/api/v1/config')).json();
    await page.goto('/');
    await expect(page.getByRole('contentinfo')).toHaveText(`Berth ${config.version}`);
  });

  test('an unknown address shows the not-found page', async ({ page }) => {
    await page.goto('/no/such/page');
    await expect(page.getByRole('heading', { level: 1, name: 'Page not found' })).toBeVisible();
    await page.getByRole('link', { name: 'Go to your projects' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Projects' })).toBeVisible();
  });
});

test.describe('create form validation', () => {
  test('an invalid name shows the rule next to the field and nothing is sent', async ({ page }) => {
    const posts: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST') posts.push(r.url());
    });
    await page.goto('/');
    const nameInput = page.getByLabel('Project name');
    await nameInput.fill('My Project');

    // Shown as you type, with the shared rule's words, wired for screen readers.
    const error = page.locator('#project-name-error');
    await expect(error).toBeVisible();
    await expect(error).toContainText('Use only lowercase letters, digits and hyphens; “M” is not allowed.');
    await expect(nameInput).toHaveAttribute('aria-invalid', 'true');
    await expect(nameInput).toHaveAttribute('aria-describedby', /project-name-error/);
    await expect(nameInput).toHaveAccessibleDescription(/is not allowed/);

    await page.getByRole('button', { name: 'Create project' }).click();
    await expect(nameInput).toBeFocused();
    await expect(error).toBeVisible();
    expect(posts).toEqual([]);

    // Fixing the name clears the error.
    await nameInput.fill('my-project');
    await expect(error).toBeHidden();
    await expect(nameInput).toHaveAttribute('aria-invalid', 'false');
  });

  test('an empty name is refused on submit', async ({ page }) => {
    await page.goto('/');
    await page.getByRole('button', { name: 'Create project' }).click();
    await expect(page.locator('#project-name-error')).toContainText('Enter a name.');
    await expect(page.getByLabel('Project name')).toBeFocused();
  });

  test('a taken name shows the server’s message at the name, and keeps what was typed', async ({ page, request }) => {
    const name = uniqueName('taken');
    expect((await request.post('/api/v1/projects', { data: { name } })).status()).toBe(201);
    // What the server says about a duplicate, to compare with the page.
    const conflict = await request.post('/api/v1/projects', { data: { name } });
    expect(conflict.status()).toBe(409);
    const problem = await conflict.json();
    const expected: string =
      problem.errors?.find((e: { field: string }) => e.field === 'name')?.message ?? problem.detail;

    await page.goto('/');
    const nameInput = page.getByLabel('Project name');
    const description = page.getByLabel('Description');
    await nameInput.fill(name);
    await description.fill('Keep this text');
    await page.getByRole('button', { name: 'Create project' }).click();

    const error = page.locator('#project-name-error');
    await expect(error).toContainText(expected);
    await expect(nameInput).toHaveAttribute('aria-invalid', 'true');
    await expect(nameInput).toBeFocused();
    await expect(nameInput).toHaveValue(name);
    await expect(description).toHaveValue('Keep this text');
    await expect(page.getByRole('button', { name: 'Create project' })).toBeEnabled();

    // Editing the name retires the server's verdict on the old one.
    await nameInput.fill(`${name}-2`);
    await expect(error).toBeHidden();
  });
});
