// Starts and stops the real `berth serve` for the browser tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const repo = path.resolve(__dirname, '..', '..', '..');

export interface Berth {
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  /** The embedded Kubernetes API, when started with `--embedded-api-listen`. */
  kubeUrl?: string;
  stop(): Promise<void>;
}

const STARTUP_TIMEOUT_MS = 30_000;

/** Extra settings for one server. */
export interface BerthOptions {
  /** More `berth serve` arguments, e.g. `['--insecure-registry', '127.0.0.1:5000']`. */
  args?: string[];
}

/** Starts `berth serve` on a free loopback port with an empty data dir. */
export async function startBerth(options: BerthOptions = {}): Promise<Berth> {
  const bin = process.env.BERTH_BIN ?? path.join(repo, 'target', 'debug', 'berth');
  const dist = process.env.BERTH_DIST ?? path.join(repo, 'dist');
  if (!existsSync(bin)) {
    throw new Error(`No berth binary at ${bin}. Build it (cargo build -p berth) or set BERTH_BIN.`);
  }
  if (!existsSync(path.join(dist, 'index.html'))) {
    throw new Error(`No console in ${dist}. Build it (trunk build --release) or set BERTH_DIST.`);
  }
  const dataDir = mkdtempSync(path.join(tmpdir(), 'berth-browser-'));
  // The embedded API only, whatever cluster the developer's shell names.
  const env = { ...process.env, RUST_LOG: process.env.RUST_LOG ?? 'warn' };
  delete env.KUBECONFIG;
  delete env.BERTH_KUBECONFIG;
  delete env.KUBERNETES_SERVICE_HOST;
  const child = spawn(
    bin,
    ['serve', '--listen', '127.0.0.1:0', '--data-dir', dataDir, '--static-dir', dist, ...(options.args ?? [])],
    { stdio: ['ignore', 'pipe', 'pipe'], env },
  );

  // Printed before the console's line, so known once `listeningUrl` resolves.
  let kubeUrl: string | undefined;
  let early = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    early += chunk.toString();
    kubeUrl ??= /Embedded Kubernetes API listening on (http:\/\/\S+)/.exec(early)?.[1];
  });
  let url: string;
  try {
    url = await listeningUrl(child);
  } catch (error) {
    child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    url,
    kubeUrl,
    async stop() {
      await stopProcess(child);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Waits for `Berth console listening on http://…` on stdout. */
function listeningUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(
      () => reject(new Error(`berth did not start within ${STARTUP_TIMEOUT_MS} ms.\n${stderr}`)),
      STARTUP_TIMEOUT_MS,
    );
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /Berth console listening on (http:\/\/\S+)/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`berth exited early (code ${code}, signal ${signal}).\n${stderr}`));
    });
  });
}

/** SIGTERM (berth drains and exits), SIGKILL if it does not within 10 s. */
function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
