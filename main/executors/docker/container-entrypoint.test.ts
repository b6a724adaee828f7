// Docker `entrypoint` on a real engine, and the plan for it: the create options, and the config
// hash that must not change for containers created before `entrypoint` existed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configHash, LABEL_CONFIG_HASH } from './labels.js';
import { planContainer, type PlanInput } from './container-spec.js';
import { DockerExecutor } from './docker-executor.js';
import { DockerEngine } from './engine.js';
import { downProject } from './project-ops.js';
import { dockerService, projectOf, recordingContext, uniqueProject, waitFor } from './test-support/fixtures.js';
import { dockerSkipReason, ensureTestImages } from './test-support/test-images.js';

const input = (target: Parameters<typeof dockerService>[1]): PlanInput => ({
  project: 'p',
  file: '/tmp/services.yaml',
  network: 'harness-p',
  service: dockerService('svc', target),
  injectedEnv: {},
  image: { name: 'img:1', id: 'sha256:abc' },
});

describe('planContainer: command and entrypoint', () => {
  it('passes entrypoint and command to the engine; an empty entrypoint clears the image one', () => {
    const both = planContainer(input({ entrypoint: ['sh', '-c'], command: ['echo hi'] })).create;
    expect(both.Entrypoint).toEqual(['sh', '-c']);
    expect(both.Cmd).toEqual(['echo hi']);
    expect(planContainer(input({ entrypoint: [] })).create.Entrypoint).toEqual(['']);
    const none = planContainer(input({})).create;
    expect(none.Entrypoint).toBeUndefined();
    expect(none.Cmd).toBeUndefined();
  });

  it('keeps the config hash of a service without entrypoint as it was before the field existed', () => {
    const plan = planContainer(input({ command: ['sleep', '1'] }));
    // The hash input as container-spec.ts built it before `entrypoint` was added.
    const legacy = configHash({
      image: 'img:1',
      imageId: 'sha256:abc',
      command: ['sleep', '1'],
      env: {},
      ports: [],
      volumes: [],
      network: 'harness-p',
    });
    expect(plan.hash).toBe(legacy);
    expect(plan.create.Labels?.[LABEL_CONFIG_HASH]).toBe(legacy);
    // Setting one changes it, so the container is recreated with the new entrypoint.
    expect(planContainer(input({ command: ['sleep', '1'], entrypoint: ['env'] })).hash).not.toBe(legacy);
  });
});

const skip = await dockerSkipReason();
const engine = new DockerEngine();
const project = uniqueProject('entry');

describe.skipIf(skip !== null)(`entrypoint on a real engine${skip ? ` (skipped: ${skip})` : ''}`, () => {
  beforeAll(async () => {
    await ensureTestImages(engine);
  }, 120_000);
  afterAll(async () => {
    await downProject(project, { removeVolumes: true }, engine).catch(() => undefined);
  }, 60_000);

  it('runs the entrypoint with the command as its arguments', async () => {
    const svc = dockerService('entry', { entrypoint: ['sh', '-c'], command: ['echo "entry-$((20+22))"; exec sleep 600'] });
    const exec = new DockerExecutor({ engine });
    const ctx = recordingContext(projectOf(project, [svc]));
    const instance = await exec.start(svc, ctx);
    await waitFor(() => ctx.text('stdout').includes('entry-42'), 10_000, 'entrypoint output');
    const info = await engine.docker.getContainer(instance.id).inspect();
    expect(info.Config.Entrypoint).toEqual(['sh', '-c']);
    await exec.stop(svc, instance, { signal: 'SIGKILL', graceMs: 0 });
  }, 40_000);
});
