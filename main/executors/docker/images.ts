// Getting a service's image: build it from `target.build` when given (the way to run offline),
// else use the local image, else pull it with per-layer progress.
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type Docker from 'dockerode';
import { pack as tarPack } from 'tar-stream';
import type { DockerBuild, ServiceConfig } from '../../../shared/config-types.js';
import { HarnessError } from '../../../shared/errors.js';
import type { ProgressEvent } from '../../../shared/events.js';
import { errorText, statusCode } from './engine.js';
import { LABEL_PROJECT, LABEL_SERVICE } from './labels.js';

export type ProgressSink = (p: Omit<ProgressEvent, 'service'>) => void;

export interface ImageRef {
  /** As written in the target (the tag a build produces). */
  name: string;
  /** The engine's image id (sha256:…); part of the config hash, so a rebuilt image recreates. */
  id: string;
}

/** The image id when present locally, null when the engine does not have it. */
export async function localImageId(docker: Docker, name: string): Promise<string | null> {
  try {
    const info = await docker.getImage(name).inspect();
    return info.Id;
  } catch (err) {
    if (statusCode(err) === 404) return null;
    throw err;
  }
}

/**
 * Reads the engine's newline-delimited JSON progress stream. Messages with `error` end it with a
 * failure carrying the engine's reason.
 */
export function readJsonStream(
  stream: NodeJS.ReadableStream,
  onMessage: (msg: Record<string, unknown>) => void,
  signal?: AbortSignal,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let buf = '';
    let failure: string | null = null;
    const onAbort = (): void => {
      (stream as unknown as { destroy?: () => void }).destroy?.();
      reject(new HarnessError('CANCELLED', 'cancelled'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const finish = (err?: Error): void => {
      signal?.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else if (failure !== null) reject(new Error(failure));
      else resolve();
    };
    const line = (text: string): void => {
      if (!text.trim()) return;
      let msg: Record<string, unknown>;
      try {
        msg = JSON.parse(text) as Record<string, unknown>;
      } catch {
        return; // a progress line we cannot read is not worth failing the operation over
      }
      if (typeof msg.error === 'string') failure ??= msg.error;
      else onMessage(msg);
    };
    stream.on('data', (chunk: Buffer | string) => {
      buf += chunk.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        line(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
      }
    });
    stream.once('end', () => {
      line(buf);
      finish();
    });
    stream.once('error', (err: Error) => finish(err));
  });
}

/** Opens an engine JSON progress stream and reads it to the end; any failure becomes `fail(reason)`
 * unless it is already a HarnessError (the engine's own error message in the stream). */
async function followJsonStream(
  open: () => Promise<NodeJS.ReadableStream>,
  onMessage: Parameters<typeof readJsonStream>[1],
  fail: (reason: string) => HarnessError,
  signal?: AbortSignal,
): Promise<void> {
  let stream: NodeJS.ReadableStream;
  try {
    stream = await open();
  } catch (err) {
    throw fail(errorText(err));
  }
  try {
    await readJsonStream(stream, onMessage, signal);
  } catch (err) {
    if (err instanceof HarnessError) throw err;
    throw fail(errorText(err));
  }
}

/** Pulls `name`, reporting each layer's progress. */
export async function pullImage(docker: Docker, service: string, name: string, progress: ProgressSink, signal?: AbortSignal): Promise<void> {
  const fail = (reason: string): HarnessError => pullFailure(service, name, reason);
  progress({ task: 'pull', message: `pulling ${name}` });
  await followJsonStream(
    () => docker.pull(name, { abortSignal: signal }),
    (msg) => {
      const detail = (msg.progressDetail ?? {}) as { current?: number; total?: number };
      progress({
        task: 'pull',
        item: typeof msg.id === 'string' ? msg.id : undefined,
        message: String(msg.status ?? ''),
        current: detail.current,
        total: detail.total,
      });
    },
    fail,
    signal,
  );
  progress({ task: 'pull', message: `pulled ${name}`, done: true });
}

/** The registry part of an image reference, as the engine resolves it. */
export function registryOf(image: string): string {
  const first = image.split('/')[0];
  return image.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost') ? first : 'docker.io';
}

/**
 * One line a user can act on, instead of the engine's raw resolver or TLS error: the image is not
 * here, why the pull failed in a few words, and how to provide the image. The engine's own text
 * stays in the error's details (and in the service's log).
 */
export function pullFailure(service: string, image: string, reason: string): HarnessError {
  const registry = registryOf(image);
  const why = /no such host|dial tcp|connection refused|i\/o timeout|network is unreachable|TLS handshake|Client\.Timeout|context deadline/i.test(reason)
    ? `the registry ${registry} cannot be reached from this machine`
    : /manifest unknown|not found|pull access denied|repository does not exist|unauthorized/i.test(reason)
      ? `the registry ${registry} has no such image (or needs a login)`
      : reason.split('\n')[0];
  return new HarnessError(
    'UNAVAILABLE',
    `service "${service}": image "${image}" is not on this machine and cannot be pulled: ${why}; ` +
      `build it (a build: field in services.yaml, or docker build -t ${image} DIR) or load it (docker load -i FILE)`,
    { image, reason },
  );
}

/** A tar stream of the build context: files, directories and symlinks, with their modes. The
 * context is read file by file; `.dockerignore` is not interpreted (documented). */
export async function contextTar(dir: string): Promise<NodeJS.ReadableStream> {
  const pack = tarPack();
  const walk = async (abs: string): Promise<void> => {
    const entries = await readdir(abs, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const entry of entries) {
      const full = join(abs, entry.name);
      const name = relative(dir, full).split(sep).join('/');
      const st = await lstat(full);
      const common = { name, mode: st.mode & 0o7777, mtime: st.mtime };
      if (st.isSymbolicLink()) {
        pack.entry({ ...common, type: 'symlink', linkname: await readlink(full) });
      } else if (st.isDirectory()) {
        pack.entry({ ...common, type: 'directory' });
        await walk(full);
      } else if (st.isFile()) {
        pack.entry({ ...common, type: 'file', size: st.size }, await readFile(full));
      }
    }
  };
  // Errors after the stream was handed to the engine surface as a destroyed stream.
  walk(dir).then(
    () => pack.finalize(),
    (err: unknown) => pack.destroy(err instanceof Error ? err : new Error(String(err))),
  );
  return pack as unknown as NodeJS.ReadableStream;
}

export async function buildImage(
  docker: Docker,
  project: string,
  service: string,
  name: string,
  build: DockerBuild,
  progress: ProgressSink,
  signal?: AbortSignal,
): Promise<void> {
  const fail = (reason: string): HarnessError =>
    new HarnessError('INTERNAL', `service "${service}": building image "${name}" from ${build.context} failed: ${reason}`, {
      image: name,
      context: build.context,
      reason,
    });
  progress({ task: 'build', message: `building ${name} from ${build.context}` });
  try {
    await lstat(build.context);
  } catch {
    throw new HarnessError('CONFIG_INVALID', `service "${service}": target.build.context ${build.context} does not exist`);
  }
  await followJsonStream(
    async () =>
      docker.buildImage(await contextTar(build.context), {
        t: name,
        dockerfile: build.dockerfile ?? 'Dockerfile',
        labels: { [LABEL_PROJECT]: project, [LABEL_SERVICE]: service },
        rm: true,
        forcerm: true,
        abortSignal: signal,
      } as Docker.ImageBuildOptions),
    (msg) => {
      const text = typeof msg.stream === 'string' ? msg.stream.trim() : typeof msg.status === 'string' ? msg.status : '';
      if (text) progress({ task: 'build', message: text });
    },
    fail,
    signal,
  );
  progress({ task: 'build', message: `built ${name}`, done: true });
}

/** Makes the service's image available locally and returns its id. */
export async function ensureImage(
  docker: Docker,
  project: string,
  service: ServiceConfig,
  progress: ProgressSink,
  signal?: AbortSignal,
): Promise<ImageRef> {
  if (service.target.type !== 'Docker') throw new Error(`service "${service.name}" is not a Docker service`);
  const { image, build } = service.target;
  // With a build context the image is rebuilt on every start; the engine's layer cache makes an
  // unchanged context cheap, and a changed one yields a new id, which recreates the container.
  if (build) await buildImage(docker, project, service.name, image, build, progress, signal);
  let id = await localImageId(docker, image);
  if (id === null) {
    await pullImage(docker, service.name, image, progress, signal);
    id = await localImageId(docker, image);
    if (id === null) throw new HarnessError('INTERNAL', `service "${service.name}": image "${image}" missing after pull`);
  }
  return { name: image, id };
}
