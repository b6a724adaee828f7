// Local test images, never pulled: a `docker import` of a folder holding Debian's static busybox
// (busybox-static) plus a tiny web root, and a child image with a HEALTHCHECK built from it with
// a local base only. Both are built once per engine (checked with image inspect).
import { readFileSync } from 'node:fs';
import type Docker from 'dockerode';
import { pack as tarPack } from 'tar-stream';
import { DockerEngine } from '../engine.js';
import { buildImage, localImageId } from '../images.js';

export const BUSYBOX_IMAGE = 'harness-test/busybox:1';
export const HEALTH_IMAGE = 'harness-test/busybox-health:1';
const BUSYBOX_BINARY = '/bin/busybox';
const APPLETS = ['sh', 'nc', 'httpd', 'sleep', 'echo', 'cat', 'wget', 'touch', 'test', 'ls', 'env', 'ip', 'kill', 'true', 'false', 'printf', 'rm'];

/** Null when an engine is reachable (tests may run); otherwise why the Docker tests skip. */
export async function dockerSkipReason(): Promise<string | null> {
  try {
    await new DockerEngine().ping(2000);
    return null;
  } catch (err) {
    // As root (CI, or a dev box where scripts/setup-docker.sh could have started it) a missing
    // engine is a failure, never a silent skip.
    if (process.getuid?.() === 0) {
      throw new Error(`Docker engine not reachable although running as root (${(err as Error).message}); run scripts/setup-docker.sh`, {
        cause: err,
      });
    }
    return `no Docker engine reachable (${(err as Error).message}); run scripts/setup-docker.sh as root`;
  }
}

function rootfsTar(): NodeJS.ReadableStream {
  const pack = tarPack();
  const busybox = readFileSync(BUSYBOX_BINARY);
  for (const dir of ['bin', 'tmp', 'www', 'etc', 'data']) pack.entry({ name: dir, type: 'directory', mode: dir === 'tmp' ? 0o1777 : 0o755 });
  pack.entry({ name: 'bin/busybox', mode: 0o755 }, busybox);
  for (const a of APPLETS) pack.entry({ name: `bin/${a}`, type: 'symlink', linkname: 'busybox' });
  pack.entry({ name: 'www/index.html', mode: 0o644 }, 'hello from harness-test\n');
  pack.entry({ name: 'etc/passwd', mode: 0o644 }, 'root:x:0:0:root:/:/bin/sh\n');
  pack.finalize();
  return pack as unknown as NodeJS.ReadableStream;
}

async function importRootfs(docker: Docker, name: string): Promise<void> {
  const [repo, tag] = name.split(':');
  const stream = await docker.importImage(rootfsTar(), { repo, tag, changes: ['ENV PATH=/bin', 'CMD ["sh"]'] } as object);
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(stream, (err: Error | null) => (err ? reject(err) : resolve()));
  });
}

let building: Promise<void> | null = null;

/** Builds both test images when missing. */
export function ensureTestImages(engine = new DockerEngine()): Promise<void> {
  building ??= (async () => {
    if (!(await localImageId(engine.docker, BUSYBOX_IMAGE))) await importRootfs(engine.docker, BUSYBOX_IMAGE);
    if (!(await localImageId(engine.docker, HEALTH_IMAGE))) {
      const { mkdtemp, writeFile, rm } = await import('node:fs/promises');
      const { tmpdir } = await import('node:os');
      const { join } = await import('node:path');
      const dir = await mkdtemp(join(tmpdir(), 'harness-health-img-'));
      try {
        await writeFile(
          join(dir, 'Dockerfile'),
          `FROM ${BUSYBOX_IMAGE}\nHEALTHCHECK --interval=1s --timeout=1s --retries=1 CMD test -f /tmp/ready\n`,
        );
        await buildImage(engine.docker, 'harness-test', 'health-image', HEALTH_IMAGE, { context: dir }, () => undefined);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    }
  })().catch((err: unknown) => {
    building = null;
    throw err;
  });
  return building;
}
