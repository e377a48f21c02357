// Starts Berth's console. It is a file, not inline script, so the page can
// run under a strict Content-Security-Policy (script-src 'self'
// 'wasm-unsafe-eval'). scripts/build-frontend writes the hashed paths of
// the wasm-bindgen JS and of the main wasm into this script's URL, so this
// file itself never changes between builds.
const here = new URL(import.meta.url);

// The light or dark look the person chose in the user menu, before the
// first paint (frontend/src/components/theme.rs keeps it). Only this word
// is stored.
try {
  const chosen = localStorage.getItem('berth-theme');
  if (chosen === 'light' || chosen === 'dark') document.documentElement.dataset.theme = chosen;
} catch {
  // Storage blocked (a sandboxed iframe): the device's setting applies.
}

// Only ever load from this origin, whatever the query says.
function sameOrigin(name) {
  const url = new URL(name ?? '', here);
  if (url.origin !== here.origin || !name) {
    throw new Error('refusing to load ' + url);
  }
  return url.href;
}

// The person's language (frontend/src/i18n): their choice in the user menu
// (only the language tag is stored), else the browser's. Set on <html>
// before the first paint, so Arabic is laid out right to left from the
// start, and the catalog of a language other than English is fetched now,
// beside the wasm, from the console's own folder. A portal's `locale`
// message may change it later.
const LANGUAGES = ['en', 'de', 'ja', 'ar'];
function language() {
  let chosen = null;
  try {
    chosen = localStorage.getItem('berth-locale');
  } catch {
    // Storage blocked (a sandboxed iframe): the browser's languages apply.
  }
  const tags = [chosen, ...(navigator.languages ?? [navigator.language])];
  for (const tag of tags) {
    const primary = (tag ?? '').split(/[-_]/)[0].toLowerCase();
    if (LANGUAGES.includes(primary)) return primary;
  }
  return 'en';
}
// Only its path is used, so the catalog always comes from this origin.
const consoleFolder = new URL('.', new URL(here.searchParams.get('js') ?? '/', here)).pathname;
globalThis.berthConsole = consoleFolder;
const lang = language();
document.documentElement.lang = lang;
document.documentElement.dir = lang === 'ar' ? 'rtl' : 'ltr';
const catalog = lang === 'en'
  ? null
  : fetch(new URL(`${consoleFolder}locale-${lang}.json`, here).href, { headers: { Accept: 'application/json' } })
    .then((response) => (response.ok ? response.text() : null))
    .catch(() => null);
if (catalog) globalThis.berthCatalog = { tag: lang, text: catalog };

// The answers the first page needs, asked for now rather than once the wasm
// runs: they are usually in before it starts, so the console draws its first
// page at once instead of a loading state first. The wasm takes each one for
// its first request of that address (frontend/src/api/early.rs). A failed
// request is null, and the wasm reports it as it would its own.
function askEarly(paths) {
  const answers = new Map();
  for (const path of paths) {
    const url = new URL(path, here).href;
    const answer = fetch(url, { headers: { Accept: 'application/json' } })
      .then(async (response) => ({ status: response.status, text: await response.text() }))
      .catch(() => null);
    answers.set(url, answer);
  }
  return answers;
}
// What the console asks for as it starts (frontend/src/app.rs): the config,
// the session and, opening on the projects page outside a portal's iframe,
// the list.
const firstPage = location.pathname.replace(/^\/+|\/+$/g, '');
const early = askEarly([
  '/api/v1/config',
  '/api/v1/session',
  ...((firstPage === '' || firstPage === 'projects') && window.parent === window ? ['/api/v1/projects'] : []),
]);
globalThis.berthEarlyAnswers = early;
// How long the console may wait for them before it starts: a slow server
// gets the console's loading state, not a blank page.
const EARLY_ANSWER_WAIT_MS = 100;

try {
  const { default: init } = await import(sameOrigin(here.searchParams.get('js')));
  const wasm = sameOrigin(here.searchParams.get('wasm'));
  // The browser reuses the preloaded bytes (no second download), and this
  // fetch checks them against the hash build-frontend wrote on the preload
  // link. As data-integrity: Chromium ignores `integrity` on a fetch
  // preload, and warns on the console at every load that it does.
  const preload = [...document.querySelectorAll('link[rel="preload"][as="fetch"]')]
    .find((link) => link.href === wasm);
  const compiled = WebAssembly.compileStreaming(fetch(wasm, { integrity: preload?.dataset.integrity ?? '' }));
  // The wasm compiles meanwhile. Started once the early answers are read,
  // the console draws its first page with them in one go; started before,
  // it would draw a loading state, and the browser would lay that out and
  // paint it before reading the answers (40-70 ms later on this machine).
  const answered = Promise.race([
    Promise.all(early.values()),
    new Promise((resolve) => setTimeout(resolve, EARLY_ANSWER_WAIT_MS)),
  ]);
  // The catalog is awaited in full (by the wasm): a page drawn in English
  // and redrawn in German a moment later would be worse than a short wait.
  const [module] = await Promise.all([compiled, answered]);
  await init({ module_or_path: module });
} catch (error) {
  // Say something a person can act on instead of leaving a blank page.
  const message = document.createElement('p');
  message.className = 'boot-message';
  message.setAttribute('role', 'alert');
  message.textContent = 'Berth could not start. Reload the page; if that does not help, your browser may be too old.';
  document.body.append(message);
  console.error('Berth could not start:', error);
}
