// An imported compose stack actually runs: `harness import`, then `harness up -d` on a real
// engine with the local test image. The dependent starts only once its dependency's converted
// healthcheck passes (service_healthy), and runs with the compose file's entrypoint, command,
// working_dir, environment and published port; `harness down` leaves no container behind.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceState } from '../../shared/service-state.js';
import { DockerEngine } from '../executors/docker/engine.js';
import { LABEL_PROJECT } from '../executors/docker/labels.js';
import { downProject } from '../executors/docker/project-ops.js';
import { uniqueProject } from '../executors/docker/test-support/fixtures.js';
import { BUSYBOX_IMAGE, dockerSkipReason, ensureTestImages } from '../executors/docker/test-support/test-images.js';
import { ensureBuilt, freePort, makeProject, type Project } from './test-support/cli-harness.js';

const skip = await dockerSkipReason();
const engine = new DockerEngine();
const project = uniqueProject('import');

describe.skipIf(skip !== null)(`an imported compose stack runs${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let p: Project;
  let port: number;

  beforeAll(async () => {
    ensureBuilt();
    await ensureTestImages(engine);
    port = await freePort();
    p = await makeProject('services: {}\n');
    // db becomes ready only after a delay; app must not start before it.
    await writeFile(
      join(p.dir, 'docker-compose.yml'),
      `name: ${project}
services:
  db:
    image: ${BUSYBOX_IMAGE}
    command: sh -c 'sleep 1; touch /tmp/ready; echo db ready; trap "exit 0" TERM; while :; do sleep 1; done'
    healthcheck:
      test: ["CMD-SHELL", "test -f /tmp/ready"]
      interval: 200ms
      start_interval: 100ms
    stop_grace_period: 2s
  app:
    image: ${BUSYBOX_IMAGE}
    working_dir: /www
    entrypoint: ["sh", "-c"]
    command: ["echo app in $$(pwd) with GREETING=$$GREETING; httpd -f -p 8080 -h /www & trap 'kill $$! 2>/dev/null; exit 0' TERM; wait"]
    environment:
      - GREETING=hello
    ports:
      - "${port}:8080"
    depends_on:
      db:
        condition: service_healthy
    restart: unless-stopped
    stop_grace_period: 2s
`,
    );
  }, 200_000);

  afterAll(async () => {
    await p?.cleanup().catch(() => undefined);
    await downProject(project, { removeVolumes: true }, engine).catch(() => undefined);
  });

  it('imports, starts in order behind the health check, serves, and goes away with down', async () => {
    const imported = await p.run(['import', 'docker-compose.yml', '--force']);
    expect(imported.stdout).toMatch(/^docker-compose\.yml:23: services\.app\.restart: approximated: unless-stopped becomes always/m);
    expect(imported.code, imported.stdout + imported.stderr).toBe(0);

    const up = await p.run(['up', '-d', '--timeout', '90s'], 120_000);
    expect(up.code, up.stdout + up.stderr).toBe(0);
    const healthy = up.stdout.indexOf('==> db: healthy');
    expect(healthy, up.stdout).toBeGreaterThanOrEqual(0);
    expect(up.stdout.indexOf('==> app: starting'), up.stdout).toBeGreaterThan(healthy);
    const ps = JSON.parse((await p.run(['ps', '--json'])).stdout) as { services: ServiceState[] };
    expect(ps.services.find((s) => s.name === 'db')?.status).toBe('healthy');
    expect(ps.services.find((s) => s.name === 'app')?.status).toBe('running');

    const logs = await p.run(['logs', 'app']);
    expect(logs.stdout).toContain('app in /www with GREETING=hello');
    const res = await fetch(`http://127.0.0.1:${port}/index.html`);
    expect(await res.text()).toBe('hello from harness-test\n');

    const down = await p.run(['down'], 90_000);
    expect(down.code, down.stdout + down.stderr).toBe(0);
    const left = await engine.docker.listContainers({ all: true, filters: { label: [`${LABEL_PROJECT}=${project}`] } });
    expect(left).toEqual([]);
  }, 240_000);
});
