// A Docker service without a `health_check` whose image declares a HEALTHCHECK gates its
// dependents on the engine's health_status events (issue 3, Health), on a real engine with the
// locally built test images (never pulled). Three independent pairs run in one start request:
//   gated → app:      the image's check passes from its first run (1 s after the container
//                     starts); app is spawned only after the engine's healthy event.
//   sick → sickapp:   the image never turns healthy; sickapp fails with the engine's message.
//   plain → plainapp: an image without HEALTHCHECK is ready as soon as it runs.
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceConfig } from '../../shared/config-types.js';
import type { HealthEvent, StatusEvent } from '../../shared/events.js';
import { DockerEngine } from '../executors/docker/engine.js';
import { downProject } from '../executors/docker/project-ops.js';
import { createDockerCore, type DockerCore } from '../executors/docker/test-support/docker-core.js';
import { dockerService, projectOf, uniqueProject } from '../executors/docker/test-support/fixtures.js';
import { dockerSkipReason, ensureTestImages, HEALTH_IMAGE } from '../executors/docker/test-support/test-images.js';

const skip = await dockerSkipReason();
const engine = new DockerEngine();
const name = uniqueProject('nh');
let core: DockerCore | null = null;

function waiter(dep: string, label: string): ServiceConfig {
  return {
    name: label,
    target: { type: 'Process', binary: '/bin/sh', args: ['-c', 'exec sleep 600'], env: {}, working_dir: tmpdir(), ports: [] },
    dependencies: [dep],
    restart: { policy: 'no', max_retries: 0, backoff_ms: 100, max_backoff_ms: 100 },
    stop_signal: 'SIGTERM',
    stop_grace_period_ms: 2000,
  };
}

describe.skipIf(skip !== null)(`image HEALTHCHECK gating in the core${skip ? ` (skipped: ${skip})` : ''}`, () => {
  beforeAll(async () => {
    await ensureTestImages(engine);
  }, 120_000);

  afterAll(async () => {
    await core?.dispose().catch(() => undefined);
    await downProject(name, { removeVolumes: true }, engine).catch(() => undefined);
  }, 60_000);

  it('starts a dependent only after health_status: healthy, fails it on unhealthy, and does not gate an image without HEALTHCHECK', async () => {
    // The test image's HEALTHCHECK is `test -f /tmp/ready`, every 1 s, 1 retry, no start period:
    // its first run (1 s after start) decides, as the engine reports unhealthy on a failure then.
    const gated = dockerService('gated', { image: HEALTH_IMAGE, command: ['sh', '-c', 'sleep 0.3; touch /tmp/ready; exec sleep 600'] }, { graceMs: 0 });
    const sick = dockerService('sick', { image: HEALTH_IMAGE, command: ['sleep', '600'] }, { graceMs: 0 });
    const plain = dockerService('plain', { command: ['sleep', '600'] }, { graceMs: 0 });
    const project = projectOf(name, [gated, waiter('gated', 'app'), sick, waiter('sick', 'sickapp'), plain, waiter('plain', 'plainapp')]);
    core = await createDockerCore(project, engine);
    const statuses: Array<StatusEvent & { t: number }> = [];
    const health: Array<HealthEvent & { t: number }> = [];
    core.manager.on((e) => {
      if (e.type === 'status') statuses.push({ ...e.event, t: performance.now() });
      if (e.type === 'health') health.push({ ...e.event, t: performance.now() });
    });
    const first = (service: string, status: string) => statuses.find((s) => s.state.name === service && s.state.status === status);

    const report = await core.manager.start();

    expect(report.ready.sort()).toEqual(['app', 'gated', 'plain', 'plainapp']);
    expect(report.failed.map((f) => f.service).sort()).toEqual(['sick', 'sickapp']);

    // gated → app: running, then the engine's healthy event, then (only then) app starts.
    const gatedRunning = first('gated', 'running')!;
    const gatedHealthy = first('gated', 'healthy')!;
    const healthyEvent = health.find((h) => h.service === 'gated' && h.result.ok)!;
    const appStarting = first('app', 'starting')!;
    expect(gatedRunning).toBeDefined();
    expect(healthyEvent.result.message).toContain('image HEALTHCHECK: healthy');
    expect(gatedHealthy.seq).toBeGreaterThan(gatedRunning.seq);
    expect(appStarting.seq).toBeGreaterThan(gatedHealthy.seq);
    expect(appStarting.t).toBeGreaterThanOrEqual(healthyEvent.t);
    // The engine runs the first check 1 s after the container started: app waited for it.
    expect(appStarting.t - gatedRunning.t).toBeGreaterThan(500);
    expect(core.manager.getServiceStatus('app').status).toBe('running');

    // sick → sickapp: unhealthy with the engine's word, and the dependent is never spawned.
    const sickState = core.manager.getServiceStatus('sick');
    expect(sickState.status).toBe('unhealthy');
    expect(sickState.error).toContain('image HEALTHCHECK: unhealthy');
    expect(report.failed.find((f) => f.service === 'sickapp')?.reason).toContain('image HEALTHCHECK: unhealthy');
    expect(first('sickapp', 'starting')).toBeUndefined();

    // plain → plainapp: no HEALTHCHECK, so running is ready; no health status ever appears.
    expect(first('plainapp', 'starting')).toBeDefined();
    expect(first('plain', 'healthy')).toBeUndefined();
    expect(health.filter((h) => h.service === 'plain')).toEqual([]);
  }, 90_000);
});
