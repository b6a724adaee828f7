// Builders for Docker-target services and a recording ExecutorContext, for the Docker tests.
import { randomBytes } from 'node:crypto';
import type { HealthCheck, ProjectConfig, ServiceConfig, DockerTarget } from '../../../../shared/config-types.js';
import type { LogStream, ProgressEvent } from '../../../../shared/events.js';
import type { ExecutorContext } from '../../../core/executor.js';
import { BUSYBOX_IMAGE } from './test-images.js';
import { freePort } from '../../../test-support/ports.js';
export { freePort };

export function uniqueProject(prefix: string): string {
  return `ht-${prefix}-${randomBytes(3).toString('hex')}`;
}

export function dockerService(
  name: string,
  target: Partial<Omit<DockerTarget, 'type'>> = {},
  extra: { deps?: string[]; health?: HealthCheck; stopSignal?: string; graceMs?: number } = {},
): ServiceConfig {
  return {
    name,
    target: { type: 'Docker', image: BUSYBOX_IMAGE, env: {}, ports: [], volumes: [], ...target },
    dependencies: extra.deps ?? [],
    ...(extra.health ? { health_check: extra.health } : {}),
    restart: { policy: 'no', max_retries: 0, backoff_ms: 250, max_backoff_ms: 1000 },
    stop_signal: extra.stopSignal ?? 'SIGTERM',
    stop_grace_period_ms: extra.graceMs ?? 2000,
  };
}

export function projectOf(name: string, services: ServiceConfig[], dir = '/tmp'): ProjectConfig {
  return { name, file: `${dir}/services.yaml`, dir, services };
}

export const timing = { interval_ms: 100, timeout_ms: 1000, retries: 3, start_period_ms: 20_000 };

export interface RecordingContext extends ExecutorContext {
  lines(stream?: LogStream): string[];
  text(stream: LogStream): string;
  progressEvents: Array<Omit<ProgressEvent, 'service'>>;
}

export function recordingContext(project: ProjectConfig, injectedEnv: Record<string, string> = {}, signal = new AbortController().signal): RecordingContext {
  const chunks: Array<{ stream: LogStream; text: string }> = [];
  const progressEvents: Array<Omit<ProgressEvent, 'service'>> = [];
  const text = (stream: LogStream): string => chunks.filter((c) => c.stream === stream).map((c) => c.text).join('');
  return {
    project,
    stateDir: '/tmp',
    injectedEnv,
    signal,
    log: (stream, chunk) => chunks.push({ stream, text: chunk.toString() }),
    progress: (p) => progressEvents.push(p),
    progressEvents,
    text,
    lines: (stream) =>
      (stream ? [stream] : (['stdout', 'stderr', 'system'] as LogStream[])).flatMap((s) => text(s).split('\n').filter(Boolean)),
  };
}

export async function waitFor(pred: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await pred())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
