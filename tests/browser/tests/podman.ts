// Real containers for the browser tests: podman kept inside temporary
// folders (the project's scripts/podman/containers.conf and a vfs
// storage.conf per folder, as scripts/podman/env.sh sets them up), and a
// busybox image built `FROM scratch` with Debian's static busybox, pushed
// with the registry's credential. Same setup as tests/src/podman.rs.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Registry } from './registry';

const repo = path.resolve(__dirname, '..', '..', '..');
const BUSYBOX = '/bin/busybox';

/** podman: `$BERTH_TEST_PODMAN`, else the first on `PATH`. */
export function podmanBin(): string {
  const explicit = process.env.BERTH_TEST_PODMAN;
  if (explicit) return explicit;
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, 'podman');
    if (dir && existsSync(candidate)) return candidate;
  }
  throw new Error(
    'podman is not installed: the job run tests run real containers. Install it with scripts/bootstrap ' +
      '(Debian: apt-get install podman runc busybox-static)',
  );
}

/** One podman storage in a temporary folder. */
export class PodmanStore {
  readonly dir: string;
  readonly bin: string;

  constructor() {
    this.bin = podmanBin();
    this.dir = mkdtempSync(path.join(tmpdir(), 'berth-podman-'));
    const root = path.join(this.dir, 'root');
    const run = path.join(this.dir, 'run');
    mkdirSync(root);
    mkdirSync(run);
    writeFileSync(
      path.join(this.dir, 'storage.conf'),
      `[storage]\ndriver = "vfs"\ngraphroot = "${root}"\nrunroot = "${run}"\n`,
    );
  }

  /** The environment podman needs to use this storage: give it to `berth serve` too. */
  env(): Record<string, string> {
    return {
      CONTAINERS_CONF: path.join(repo, 'scripts', 'podman', 'containers.conf'),
      CONTAINERS_STORAGE_CONF: path.join(this.dir, 'storage.conf'),
    };
  }

  run(args: string[], input?: string): string {
    const result = spawnSync(this.bin, args, {
      env: { ...process.env, ...this.env() },
      input: input ?? '',
      encoding: 'utf8',
    });
    if (result.status !== 0) {
      throw new Error(`podman ${args[0]} failed: ${result.stderr}`);
    }
    return result.stdout;
  }

  /** Builds the busybox image as `name`, without an entrypoint so the Job gives the command. */
  buildBusybox(name: string) {
    const context = path.join(this.dir, 'build');
    mkdirSync(context);
    copyFileSync(BUSYBOX, path.join(context, 'busybox'));
    writeFileSync(
      path.join(context, 'Containerfile'),
      'FROM scratch\nCOPY busybox /bin/busybox\nCOPY busybox /bin/sh\nCMD ["/bin/sh"]\n',
    );
    this.run(['build', '--quiet', '--tag', name, context]);
  }

  /** Signs in to `registry` (the password through stdin, into an auth file here) and pushes `local` as `remote`. */
  push(registry: Registry, local: string, remote: string) {
    const auth = path.join(this.dir, 'auth.json');
    this.run(
      ['login', '--tls-verify=false', '--authfile', auth, '--username', registry.username, '--password-stdin', registry.host],
      registry.password,
    );
    this.run(['tag', local, remote]);
    this.run(['push', '--quiet', '--tls-verify=false', '--authfile', auth, remote]);
    rmSync(auth, { force: true });
  }

  /** Names of the containers (any state) in this storage. */
  containers(): string[] {
    return this.run(['ps', '--all', '--format', '{{.Names}}'])
      .split('\n')
      .filter((l) => l.trim() !== '');
  }

  /** Removes every container, then the folder. */
  remove() {
    try {
      execFileSync(this.bin, ['rm', '--all', '--force'], { env: { ...process.env, ...this.env() }, stdio: 'ignore' });
    } catch {
      // Nothing to remove, or podman is gone: the folder goes anyway.
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Builds the busybox image and pushes it to `registry` as `repository:tag`; its reference. */
export function pushBusybox(registry: Registry, repository: string, tag: string): string {
  const build = new PodmanStore();
  try {
    const local = 'localhost/berth-test-busybox:1';
    build.buildBusybox(local);
    const remote = `${registry.host}/${repository}:${tag}`;
    build.push(registry, local, remote);
    return remote;
  } finally {
    build.remove();
  }
}
