// Browser tests for Berth's console. They run against the real `berth`
// binary serving the built console (dist/); each worker starts its own
// server with a fresh data directory (see tests/fixtures.ts).
//
//   (repo root) scripts/build-frontend && cargo build -p berth
//   (here)      npx playwright test
//
// BERTH_BIN and BERTH_DIST override the binary and the console folder.
// Traces, screenshots and the report go to a temporary folder, never into
// the source tree: BERTH_BROWSER_OUT, or berth-browser-tests in the
// system's temporary folder.
import { defineConfig, devices } from '@playwright/test';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromiumFlags } from './chromium-flags.cjs';

const out = process.env.BERTH_BROWSER_OUT ?? join(tmpdir(), 'berth-browser-tests');

export default defineConfig({
  testDir: './tests',
  outputDir: join(out, 'results'),
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  // Two cores are shared with builds; one server per worker.
  workers: process.env.CI ? 1 : 2,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  reporter: process.env.CI ? [['list'], ['html', { open: 'never', outputFolder: join(out, 'report') }]] : 'list',
  use: {
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [
    {
      name: 'chromium',
      use: {
        ...devices['Desktop Chrome'],
        // Debian's Chromium; Playwright never downloads a browser here.
        launchOptions: {
          executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
          args: chromiumFlags,
        },
      },
    },
  ],
});
