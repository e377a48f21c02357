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
  /** The administrator's session, signed in when the server started. */
  admin: SignedIn;
  stop(): Promise<void>;
}

/** A signed-in account: its password and the session the console would hold. */
export interface SignedIn {
  user: string;
  password: string;
  /** Value of the `berth_session` cookie. */
  cookie: string;
  csrfToken: string;
}

/** The administrator's own password, replacing the printed one-time password. */
export const ADMIN_PASSWORD = 'browser test administrator';

const STARTUP_TIMEOUT_MS = 30_000;

/** Extra settings for one server. */
export interface BerthOptions {
  /** More `berth serve` arguments, e.g. `['--insecure-registry', '127.0.0.1:5000']`. */
  args?: string[];
  /** More environment variables, e.g. the podman storage of `--container-engine`. */
  env?: Record<string, string>;
}

/** Starts `berth serve` on a free loopback port with an empty data dir. */
export async function startBerth(options: BerthOptions = {}): Promise<Berth> {
  const bin = process.env.BERTH_BIN ?? path.join(repo, 'target', 'debug', 'berth');
  const dist = process.env.BERTH_DIST ?? path.join(repo, 'dist');
  if (!existsSync(bin)) {
    throw new Error(`No berth binary at ${bin}. Build it (cargo build -p berth) or set BERTH_BIN.`);
  }
  if (!existsSync(path.join(dist, 'index.html'))) {
    throw new Error(`No console in ${dist}. Build it (scripts/build-frontend) or set BERTH_DIST.`);
  }
  const dataDir = mkdtempSync(path.join(tmpdir(), 'berth-browser-'));
  // The embedded API only, whatever cluster the developer's shell names.
  const env = { ...process.env, RUST_LOG: process.env.RUST_LOG ?? 'warn', ...(options.env ?? {}) };
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
  let admin: SignedIn;
  try {
    url = await listeningUrl(child);
    const once = /with the one-time password: (\S+)/.exec(early)?.[1];
    if (!once) throw new Error('berth printed no one-time password for its administrator');
    const first = await signIn(url, 'admin', once);
    admin = await changePassword(url, first, ADMIN_PASSWORD);
  } catch (error) {
    child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    url,
    kubeUrl,
    admin,
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

/** Signs in through the API, as the console's form does. */
export async function signIn(url: string, user: string, password: string): Promise<SignedIn> {
  const response = await fetch(`${url}/api/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: url },
    body: JSON.stringify({ username: user, password }),
  });
  if (!response.ok) throw new Error(`signing in as ${user}: HTTP ${response.status}`);
  return session(response, user, password);
}

/** Replaces the password of a signed-in account; the session is renewed. */
export async function changePassword(url: string, who: SignedIn, newPassword: string): Promise<SignedIn> {
  const response = await fetch(`${url}/api/v1/session/password`, {
    method: 'PUT',
    headers: {
      'content-type': 'application/json',
      origin: url,
      cookie: `berth_session=${who.cookie}`,
      'x-csrf-token': who.csrfToken,
    },
    body: JSON.stringify({ currentPassword: who.password, newPassword }),
  });
  if (!response.ok) throw new Error(`changing the password of ${who.user}: HTTP ${response.status}`);
  return session(response, who.user, newPassword);
}

async function session(response: Response, user: string, password: string): Promise<SignedIn> {
  const cookie = /berth_session=([^;]+)/.exec(response.headers.get('set-cookie') ?? '')?.[1];
  const body = (await response.json()) as { csrfToken?: string };
  if (!cookie || !body.csrfToken) throw new Error('no session in the answer');
  return { user, password, cookie, csrfToken: body.csrfToken };
}

/** The headers an API call made with this session carries. */
export function sessionHeaders(url: string, who: SignedIn): Record<string, string> {
  return { cookie: `berth_session=${who.cookie}`, 'x-csrf-token': who.csrfToken, origin: url };
}
