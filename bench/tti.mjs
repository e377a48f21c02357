// Time to interactive of the console in headless Chromium on loopback:
// from the start of navigation until the projects list is rendered and
// no longer busy (its section's aria-busy turns "false"), which is when a
// person can read and use it. Median of several cold loads (new context,
// empty cache, each).
//
//   node bench/tti.mjs http://127.0.0.1:8080 [loads]
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '..', 'tests', 'browser', 'package.json'));
const { chromium } = require('playwright');
// The browser tests' flags (tests/browser/chromium-flags.cjs).
const { chromiumFlags } = require('./chromium-flags.cjs');

const url = process.argv[2];
const loads = Number(process.argv[3] ?? 9);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: chromiumFlags,
});
const times = [];
try {
  for (let i = 0; i < loads; i++) {
    const context = await browser.newContext();
    // Signed in (bench/run passes the session cookie, `name=value`).
    const cookie = process.env.BERTH_COOKIE;
    if (cookie) {
      const [name, ...value] = cookie.split('=');
      await context.addCookies([{ name, value: value.join('='), url }]);
    }
    const page = await context.newPage();
    // Noted by the page itself the moment the list is usable;
    // performance.now() counts from the navigation's start. The page says
    // so on its console: waiting with page.waitForFunction instead would run
    // Playwright's injected script in the page while it loads (~20 ms of
    // its main thread here).
    await page.addInitScript(() => {
      const selector = 'section[aria-labelledby="projects-heading"][aria-busy="false"]';
      new MutationObserver((_, observer) => {
        if (document.querySelector(selector)) {
          window.__berthTti = performance.now();
          observer.disconnect();
          console.log('berth-tti');
        }
      }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['aria-busy'] });
    });
    const usable = page.waitForEvent('console', { predicate: (m) => m.text() === 'berth-tti', timeout: 15000 });
    await page.goto(url, { waitUntil: 'commit' });
    await usable;
    times.push(await page.evaluate(() => window.__berthTti));
    await context.close();
  }
} finally {
  await browser.close();
}
times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)];
console.log(`tti_ms_median=${median.toFixed(1)} loads=${times.length} min=${times[0].toFixed(1)} max=${times[times.length - 1].toFixed(1)}`);
