// A real OCI registry for the browser tests: Debian's docker-registry (the
// CNCF distribution registry) on 127.0.0.1 with htpasswd auth, and a tiny
// image pushed to it through the registry HTTP API. Same setup as the Rust
// harness in tests/src/registry.rs.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface Registry {
  /** `127.0.0.1:PORT` */
  host: string;
  username: string;
  password: string;
  /** Pushes a one-layer image; returns its reference and the digest the registry reports. */
  push(repository: string, tag: string): Promise<{ reference: string; digest: string }>;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

const sha256 = (data: Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

export async function startRegistry(username: string, password: string): Promise<Registry> {
  const dir = mkdtempSync(path.join(tmpdir(), 'berth-registry-'));
  writeFileSync(path.join(dir, 'htpasswd'), execFileSync('htpasswd', ['-Bbn', username, password]));
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  writeFileSync(
    path.join(dir, 'config.yml'),
    [
      'version: 0.1',
      'log:',
      '  level: warn',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${path.join(dir, 'data')}`,
      'http:',
      `  addr: ${host}`,
      '  secret: berth-test-only',
      'auth:',
      '  htpasswd:',
      '    realm: berth-test',
      `    path: ${path.join(dir, 'htpasswd')}`,
      '',
    ].join('\n'),
  );
  const bin = process.env.BERTH_TEST_REGISTRY_BIN ?? '/usr/bin/docker-registry';
  const child: ChildProcess = spawn(bin, ['serve', path.join(dir, 'config.yml')], { stdio: 'ignore' });
  const deadline = Date.now() + 20_000;
  while (!(await listening(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`docker-registry did not start on ${host}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const auth = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  const url = (p: string) => `http://${host}${p}`;

  async function pushBlob(repository: string, data: Buffer, digest: string) {
    const start = await fetch(url(`/v2/${repository}/blobs/uploads/`), { method: 'POST', headers: { authorization: auth } });
    if (start.status !== 202) throw new Error(`blob upload start: ${start.status}`);
    const location = start.headers.get('location') ?? '';
    const target = new URL(location, url('/'));
    target.searchParams.set('digest', digest);
    const done = await fetch(target, {
      method: 'PUT',
      headers: { authorization: auth, 'content-type': 'application/octet-stream' },
      body: data,
    });
    if (done.status !== 201) throw new Error(`blob upload: ${done.status}`);
  }

  return {
    host,
    username,
    password,
    async push(repository, tag) {
      const layer = Buffer.from(`berth browser test layer ${repository}:${tag}`);
      const layerDigest = sha256(layer);
      const config = Buffer.from(
        JSON.stringify({ architecture: 'amd64', os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: [layerDigest] } }),
      );
      const configDigest = sha256(config);
      await pushBlob(repository, config, configDigest);
      await pushBlob(repository, layer, layerDigest);
      const manifest = Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length },
          layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: layerDigest, size: layer.length }],
        }),
      );
      const response = await fetch(url(`/v2/${repository}/manifests/${tag}`), {
        method: 'PUT',
        headers: { authorization: auth, 'content-type': 'application/vnd.oci.image.manifest.v1+json' },
        body: manifest,
      });
      if (response.status !== 201) throw new Error(`manifest push: ${response.status}`);
      const digest = response.headers.get('docker-content-digest') ?? '';
      return { reference: `${host}/${repository}:${tag}`, digest };
    },
    async stop() {
      if (child.exitCode === null) {
        await new Promise<void>((resolve) => {
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        });
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
