// Health probes for containers: tcp/http from the host through the published port (a check's port
// is the container port, mapped here to the host port), commands via `docker exec`, and the
// image's own HEALTHCHECK through the engine's health_status events.
import type Docker from 'dockerode';
import type { HealthCheck } from '../../../shared/config-types.js';
import type { HealthResult } from '../../../shared/service-state.js';
import { probeHttp, probeTcp } from '../../health/probes.js';
import { MultiplexDemuxer } from './demux.js';
import { errorText } from './engine.js';
import { hostEndpoint, type PublishedPort } from './ports.js';

export interface ProbeTarget {
  container: Docker.Container;
  published: PublishedPort[];
  /** Container address on the project network, the fallback for unpublished ports. */
  ip: string;
  /** Names that mean "this container" in a check URL. */
  selfNames: string[];
}

const LOCAL_NAMES = new Set(['localhost', '127.0.0.1', '::1', '[::1]', '0.0.0.0']);

function result(ok: boolean, message: string): HealthResult {
  return { ok, message, at: Date.now() };
}

/** Host-side endpoint for a container port: the published one, else the container's IP (which a
 * Linux host reaches directly over the bridge). */
function endpoint(target: ProbeTarget, port: number): { host: string; port: number } {
  return hostEndpoint(target.published, port) ?? { host: target.ip || '127.0.0.1', port };
}

export function probeContainer(
  target: ProbeTarget,
  check: Exclude<HealthCheck, { type: 'log' }>,
  signal: AbortSignal,
): Promise<HealthResult> {
  switch (check.type) {
    case 'tcp': {
      const explicit = check.host && !LOCAL_NAMES.has(check.host) && !target.selfNames.includes(check.host);
      const ep = explicit ? { host: check.host as string, port: check.port } : endpoint(target, check.port);
      return probeTcp(ep.host, ep.port, check.timeout_ms, signal);
    }
    case 'http': {
      let url: URL;
      try {
        url = new URL(check.url);
      } catch {
        return Promise.resolve(result(false, `http ${check.url}: invalid URL`));
      }
      if (LOCAL_NAMES.has(url.hostname) || target.selfNames.includes(url.hostname)) {
        const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
        const ep = endpoint(target, port);
        url.hostname = ep.host.includes(':') ? `[${ep.host}]` : ep.host;
        url.port = String(ep.port);
      }
      return probeHttp(url.toString(), check.expect_status, check.timeout_ms, signal);
    }
    case 'command':
      return execProbe(target.container, check.command, check.timeout_ms, signal);
  }
}

/** Runs argv inside the container; healthy when it exits 0. */
export async function execProbe(container: Docker.Container, argv: string[], timeoutMs: number, signal: AbortSignal): Promise<HealthResult> {
  const label = `command ${argv.join(' ')}`;
  const controller = new AbortController();
  const onAbort = (): void => controller.abort();
  signal.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(() => controller.abort(), Math.max(1, timeoutMs));
  try {
    const exec = await container.exec({ Cmd: argv, AttachStdout: true, AttachStderr: true, abortSignal: controller.signal });
    const stream = (await exec.start({ hijack: true, stdin: false, abortSignal: controller.signal })) as NodeJS.ReadableStream;
    let output = '';
    const demux = new MultiplexDemuxer((_s, p) => {
      output = (output + p.toString('utf8')).slice(-4096);
    });
    await new Promise<void>((resolve, reject) => {
      const onStop = (): void => {
        (stream as unknown as { destroy?: () => void }).destroy?.();
        reject(new Error('aborted'));
      };
      controller.signal.addEventListener('abort', onStop, { once: true });
      stream.on('data', (c: Buffer) => demux.push(c));
      const end = (): void => {
        controller.signal.removeEventListener('abort', onStop);
        resolve();
      };
      stream.once('end', end);
      stream.once('close', end);
      stream.once('error', (e: Error) => reject(e));
    });
    demux.end();
    const info = await exec.inspect({ abortSignal: controller.signal } as object);
    const code = info.ExitCode;
    const tail = output.trim().split('\n').pop() ?? '';
    return result(code === 0, `${label}: exit code ${code}${tail ? `: ${tail}` : ''}`);
  } catch (err) {
    if (signal.aborted) return result(false, 'probe cancelled');
    if (controller.signal.aborted) return result(false, `${label}: timed out after ${timeoutMs} ms`);
    return result(false, `${label}: ${errorText(err)}`);
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
  }
}

/**
 * Follows the engine's `health_status` events for a container whose image has a HEALTHCHECK,
 * calling `onResult` with each status (and once with the current one). Resolves false at once
 * when the container has no native health check; otherwise true when `signal` aborts or the
 * event stream ends.
 */
export async function watchNativeHealth(
  docker: Docker,
  containerId: string,
  onResult: (r: HealthResult) => void,
  signal: AbortSignal,
): Promise<boolean> {
  const info = await docker.getContainer(containerId).inspect();
  const test = info.Config.Healthcheck?.Test;
  if (!test || test.length === 0 || test[0] === 'NONE') return false;
  if (signal.aborted) return true;
  // Subscribe before reading the current state so no transition falls between the two.
  const stream = (await docker.getEvents({
    filters: { container: [containerId], event: ['health_status'] },
    abortSignal: signal,
  } as Docker.GetEventsOptions)) as NodeJS.ReadableStream;
  const report = (status: string, detail?: string): void => {
    const ok = status === 'healthy';
    if (status === 'starting') return; // not a probe result yet
    onResult(result(ok, `image HEALTHCHECK: ${status}${detail ? `: ${detail}` : ''}`));
  };
  const current = (await docker.getContainer(containerId).inspect()).State.Health;
  if (current?.Status) report(current.Status, current.Log?.[current.Log.length - 1]?.Output?.trim());
  await new Promise<void>((resolve) => {
    let buf = '';
    const done = (): void => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    };
    const onAbort = (): void => {
      (stream as unknown as { destroy?: () => void }).destroy?.();
      done();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    stream.on('data', (chunk: Buffer) => {
      buf += chunk.toString('utf8');
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        try {
          const ev = JSON.parse(line) as { status?: string; Action?: string };
          const action = ev.Action ?? ev.status ?? '';
          // "health_status: healthy" / "health_status: unhealthy"
          const m = /^health_status:\s*(\w+)/.exec(action);
          if (m) report(m[1]);
        } catch {
          // ignore a line we cannot parse; the next event carries the state again
        }
      }
    });
    stream.once('end', done);
    stream.once('close', done);
    stream.once('error', done);
  });
  return true;
}
