// The product path (ProjectSession -> ProjectRuntime -> executors) with Docker in the registry: a
// project without Docker services never contacts the engine nor creates a network, and closing a
// project releases what the Docker executor holds open.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { DockerExecutor } from '../executors/docker/docker-executor.js';
import { DockerEngine } from '../executors/docker/engine.js';
import { uniqueProject } from '../executors/docker/test-support/fixtures.js';
import { dockerSkipReason } from '../executors/docker/test-support/test-images.js';
import { createExecutors } from '../executors/registry.js';
import { HARNESS_LOG } from '../core/service-manager.js';
import { ProjectSession } from './project-session.js';

const skip = await dockerSkipReason();
const dirs: string[] = [];

async function processOnly(project: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'harness-pdocker-'));
  dirs.push(dir);
  const file = join(dir, 'services.yaml');
  await writeFile(file, `name: ${project}\nservices:\n  - name: idle\n    target: { type: Process, binary: node, args: ["-e", "setInterval(() => {}, 1000)"] }\n`);
  return file;
}

describe('ProjectSession with the Docker executor in the registry', () => {
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('a Process-only project runs with an unreachable engine: recovery does not contact it', async () => {
    const file = await processOnly(uniqueProject('noeng'));
    const env = { ...process.env, DOCKER_HOST: 'unix:///nonexistent.sock', HARNESS_STATE_DIR: join(dirs[dirs.length - 1], 'state') };
    let docker: DockerExecutor | undefined;
    const session = new ProjectSession({
      env,
      executors: (o) => {
        const registry = createExecutors(o);
        docker = registry.get('Docker') as DockerExecutor;
        return registry;
      },
    });
    try {
      await session.open(file);
      expect(docker).toBeInstanceOf(DockerExecutor);
      const dispose = vi.spyOn(docker as DockerExecutor, 'dispose');
      expect((await session.start()).ready).toEqual(['idle']);
      // A failed engine contact during recovery would be a `_harness` line.
      expect(session.history(undefined).filter((l) => l.service === HARNESS_LOG).map((l) => l.line)).toEqual([]);
      await session.close();
      // Closing the project lets go of the executor's open log follows and exit waits.
      expect(dispose).toHaveBeenCalledTimes(1);
    } finally {
      await session.close();
    }
  }, 30_000);

  it.skipIf(skip !== null)(`a Process-only project creates no Docker network${skip ? ` (skipped: ${skip})` : ''}`, async () => {
    const project = uniqueProject('nonet');
    const file = await processOnly(project);
    const session = new ProjectSession({ env: { ...process.env, HARNESS_STATE_DIR: join(dirs[dirs.length - 1], 'state') } });
    try {
      await session.open(file);
      expect((await session.start()).ready).toEqual(['idle']);
    } finally {
      await session.close();
    }
    const engine = new DockerEngine();
    const exists = await engine.docker.getNetwork(`harness-${project}`).inspect().then(() => true, () => false);
    if (exists) await engine.docker.getNetwork(`harness-${project}`).remove().catch(() => undefined);
    expect(exists).toBe(false);
  }, 30_000);
});
