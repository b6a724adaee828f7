// DockerExecutor against a real engine: start, logs on both streams, health probes (tcp/http via
// the published port, command via exec, native HEALTHCHECK events), convergence (adopt/recreate),
// stop semantics, volumes, build, failures that must be clear and quick, and `down`.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HarnessError } from '../../../shared/errors.js';
import type { HealthResult } from '../../../shared/service-state.js';
import { DockerExecutor } from './docker-executor.js';
import { DockerEngine } from './engine.js';
import { LABEL_CONFIG_HASH, LABEL_FILE, LABEL_PROJECT, LABEL_SERVICE, volumeName } from './labels.js';
import { followLogs } from './logs.js';
import { downProject, listProjectContainers } from './project-ops.js';
import { dockerService, freePort, projectOf, recordingContext, timing, uniqueProject, waitFor } from './test-support/fixtures.js';
import { BUSYBOX_IMAGE, dockerSkipReason, ensureTestImages, HEALTH_IMAGE } from './test-support/test-images.js';

const skip = await dockerSkipReason();
const engine = new DockerEngine();
const project = uniqueProject('exec');
const tmpDirs: string[] = [];

const HTTPD = 'httpd -f -p 8080 -h /www';

describe.skipIf(skip !== null)(`DockerExecutor on a real engine${skip ? ` (skipped: ${skip})` : ''}`, () => {
  beforeAll(async () => {
    await ensureTestImages(engine);
  }, 120_000);

  afterAll(async () => {
    await downProject(project, { removeVolumes: true }, engine).catch(() => undefined);
    for (const d of tmpDirs) await rm(d, { recursive: true, force: true });
  }, 60_000);

  it('starts a labelled container on the project network, streams stdout and stderr apart, and probes via the published port', async () => {
    const port = await freePort();
    const svc = dockerService('web', {
      ports: [`${port}:8080`],
      command: ['sh', '-c', `echo out-line; echo err-line >&2; exec ${HTTPD}`],
    });
    const proj = projectOf(project, [svc]);
    const exec = new DockerExecutor({ engine });
    const ctx = recordingContext(proj, { DEP_ADDR: 'x' });
    const instance = await exec.start(svc, ctx);
    expect(instance.adopted).toBe(false);
    expect(instance.address).toMatch(/^\d+\.\d+\.\d+\.\d+$/);

    await waitFor(() => ctx.text('stdout').includes('out-line') && ctx.text('stderr').includes('err-line'), 10_000, 'both streams');
    expect(ctx.text('stdout')).not.toContain('err-line');
    expect(ctx.text('stderr')).not.toContain('out-line');

    const info = await engine.docker.getContainer(instance.id).inspect();
    expect(info.Name).toBe(`/harness-${project}-web`);
    expect(info.Config.Labels[LABEL_PROJECT]).toBe(project);
    expect(info.Config.Labels[LABEL_SERVICE]).toBe('web');
    expect(info.Config.Labels[LABEL_FILE]).toBe(proj.file);
    expect(info.Config.Labels[LABEL_CONFIG_HASH]).toMatch(/^[0-9a-f]{64}$/);
    expect(info.Config.Env).toContain('DEP_ADDR=x');
    expect(Object.keys(info.NetworkSettings.Networks)).toEqual([`harness-${project}`]);
    expect(info.NetworkSettings.Networks[`harness-${project}`].Aliases).toContain('web');
    // Published on loopback only by default.
    expect(info.HostConfig.PortBindings?.['8080/tcp']).toEqual([{ HostIp: '127.0.0.1', HostPort: String(port) }]);

    const signal = new AbortController().signal;
    const http = await exec.healthCheck(svc, instance, { type: 'http', url: 'http://localhost:8080/index.html', expect_status: 200, ...timing }, signal);
    expect(http).toMatchObject({ ok: true });
    expect(http.message).toContain(`127.0.0.1:${port}`);
    const tcp = await exec.healthCheck(svc, instance, { type: 'tcp', port: 8080, ...timing }, signal);
    expect(tcp).toMatchObject({ ok: true });
    const cmdOk = await exec.healthCheck(svc, instance, { type: 'command', command: ['test', '-f', '/www/index.html'], ...timing }, signal);
    expect(cmdOk).toMatchObject({ ok: true });
    const cmdBad = await exec.healthCheck(svc, instance, { type: 'command', command: ['sh', '-c', 'echo nope; exit 3'], ...timing }, signal);
    expect(cmdBad.ok).toBe(false);
    expect(cmdBad.message).toContain('exit code 3');

    const tail = await exec.getLogs(svc, { tail: 10 });
    expect(tail).toEqual(expect.arrayContaining([{ stream: 'stdout', line: 'out-line' }, { stream: 'stderr', line: 'err-line' }]));

    const exit = await exec.stop(svc, instance, { signal: 'SIGTERM', graceMs: 5000 });
    expect(exit.code).not.toBeNull();
  });

  it('reports health as failing until the server inside is up (health gating input)', async () => {
    const port = await freePort();
    const svc = dockerService('slow', { ports: [`${port}:8080`], command: ['sh', '-c', `sleep 2; exec ${HTTPD}`] });
    const exec = new DockerExecutor({ engine });
    const instance = await exec.start(svc, recordingContext(projectOf(project, [svc])));
    const signal = new AbortController().signal;
    const check = { type: 'http' as const, url: 'http://localhost:8080/', expect_status: 0, ...timing };
    const first = await exec.healthCheck(svc, instance, check, signal);
    expect(first.ok).toBe(false);
    const results: HealthResult[] = [first];
    await waitFor(async () => {
      const r = await exec.healthCheck(svc, instance, check, signal);
      results.push(r);
      return r.ok;
    }, 20_000, 'http server in container');
    expect(results.at(-1)?.ok).toBe(true);
    await exec.stop(svc, instance, { signal: 'SIGKILL', graceMs: 0 });
  }, 40_000);

  it('adopts a running container with the same config, recreates on config change and when stopped', async () => {
    const base = dockerService('conv', { env: { MODE: 'a' }, command: ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 0.2; done'] });
    const proj = projectOf(project, [base]);
    const first = await new DockerExecutor({ engine }).start(base, recordingContext(proj));
    const startedAt = (await engine.docker.getContainer(first.id).inspect()).State.StartedAt;

    const again = await new DockerExecutor({ engine }).start(base, recordingContext(proj));
    expect(again.adopted).toBe(true);
    expect(again.id).toBe(first.id);
    expect((await engine.docker.getContainer(again.id).inspect()).State.StartedAt).toBe(startedAt);

    const changed = dockerService('conv', { env: { MODE: 'b' }, command: base.target.type === 'Docker' ? base.target.command : [] });
    const ctx = recordingContext(projectOf(project, [changed]));
    const recreated = await new DockerExecutor({ engine }).start(changed, ctx);
    expect(recreated.adopted).toBe(false);
    expect(recreated.id).not.toBe(first.id);
    expect(ctx.text('system')).toContain('config changed');
    expect((await engine.docker.getContainer(recreated.id).inspect()).Config.Env).toContain('MODE=b');

    // A container that stopped behind Harness's back (crash, `docker stop`) is replaced.
    await engine.docker.getContainer(recreated.id).kill({ signal: 'SIGTERM' });
    await engine.docker.getContainer(recreated.id).wait();
    const exec = new DockerExecutor({ engine });
    const ctx2 = recordingContext(projectOf(project, [changed]));
    const afterStop = await exec.start(changed, ctx2);
    expect(afterStop.adopted).toBe(false);
    expect(afterStop.id).not.toBe(recreated.id);
    expect(ctx2.text('system')).toContain('container was exited');
    const exit = await exec.stop(changed, afterStop, { signal: 'SIGTERM', graceMs: 5000 });
    expect(exit).toMatchObject({ code: 0 });
    // Stop removes the container: its output is in Harness's logs, its exit code recorded.
    await expect(engine.docker.getContainer(afterStop.id).inspect()).rejects.toMatchObject({ statusCode: 404 });
  }, 60_000);

  it('stops with the configured signal and SIGKILLs after the grace period, recording the exit code', async () => {
    // PID 1 in a container has no default signal handlers: plain `sleep` ignores SIGTERM.
    const stubborn = dockerService('stubborn', { command: ['sleep', '600'] });
    const exec = new DockerExecutor({ engine });
    const inst = await exec.start(stubborn, recordingContext(projectOf(project, [stubborn])));
    const t0 = Date.now();
    const exit = await exec.stop(stubborn, inst, { signal: 'SIGTERM', graceMs: 1000 });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    expect(exit).toMatchObject({ code: 137, signal: 'SIGKILL' });

    const polite = dockerService('polite', { command: ['sh', '-c', 'trap "echo got-usr1; exit 7" USR1; while true; do sleep 0.1; done'] });
    const ctx = recordingContext(projectOf(project, [polite]));
    const inst2 = await exec.start(polite, ctx);
    await new Promise((r) => setTimeout(r, 500));
    const exit2 = await exec.stop(polite, inst2, { signal: 'SIGUSR1', graceMs: 10_000 });
    expect(exit2).toMatchObject({ code: 7 });
    await waitFor(() => ctx.text('stdout').includes('got-usr1'), 5000, 'trap output');
  }, 60_000);

  it('mounts binds (":ro" honoured) and named volumes (labelled, kept by down unless asked)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'harness-vol-'));
    tmpDirs.push(dir);
    await writeFile(join(dir, 'in.txt'), 'from-host\n');
    const rwDir = await mkdtemp(join(tmpdir(), 'harness-vol-rw-'));
    tmpDirs.push(rwDir);
    const volProject = uniqueProject('vol');
    const svc = dockerService('vols', {
      volumes: [`${dir}:/ro:ro`, `${rwDir}:/rw`, 'store:/data'],
      command: ['sh', '-c', 'cat /ro/in.txt; echo x > /ro/new 2>/dev/null && echo ro-writable || echo ro-refused; echo written > /rw/out.txt; echo kept > /data/k; echo done'],
    });
    const exec = new DockerExecutor({ engine });
    const ctx = recordingContext(projectOf(volProject, [svc]));
    try {
      const inst = await exec.start(svc, ctx);
      await inst.exited;
      await waitFor(() => ctx.text('stdout').includes('done'), 5000, 'script output');
      expect(ctx.text('stdout')).toContain('from-host');
      expect(ctx.text('stdout')).toContain('ro-refused');
      expect(await readFile(join(rwDir, 'out.txt'), 'utf8')).toBe('written\n');
      const vol = await engine.docker.getVolume(volumeName(volProject, 'store')).inspect();
      expect(vol.Labels?.[LABEL_PROJECT]).toBe(volProject);

      const kept = await downProject(volProject, {}, engine);
      expect(kept.volumes).toEqual([]);
      await engine.docker.getVolume(volumeName(volProject, 'store')).inspect();
      const removed = await downProject(volProject, { removeVolumes: true }, engine);
      expect(removed.volumes).toEqual([volumeName(volProject, 'store')]);
    } finally {
      await downProject(volProject, { removeVolumes: true }, engine).catch(() => undefined);
    }
  }, 60_000);

  it('builds an image from target.build offline (local base only) and runs it, reporting build progress', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'harness-build-'));
    tmpDirs.push(dir);
    await writeFile(join(dir, 'Dockerfile'), `FROM ${BUSYBOX_IMAGE}\nCOPY greeting.txt /greeting.txt\nCMD ["cat", "/greeting.txt"]\n`);
    await writeFile(join(dir, 'greeting.txt'), 'built-by-harness\n');
    const image = `harness-test/built-${project}:1`;
    const svc = dockerService('built', { image, build: { context: dir } });
    const exec = new DockerExecutor({ engine });
    const ctx = recordingContext(projectOf(project, [svc]));
    try {
      const inst = await exec.start(svc, ctx);
      await inst.exited;
      await waitFor(() => ctx.text('stdout').includes('built-by-harness'), 5000, 'output of built image');
      expect(ctx.progressEvents.some((p) => p.task === 'build' && /Step \d/.test(p.message))).toBe(true);
      expect(ctx.progressEvents.at(-1)).toMatchObject({ task: 'build', done: true });
    } finally {
      await downProject(project, {}, engine).catch(() => undefined);
      await engine.docker.getImage(image).remove({ force: true }).catch(() => undefined);
    }
  }, 60_000);

  it('an image that is not here and cannot be pulled fails in one line that says how to provide it', async () => {
    // A registry on a closed loopback port: the pull fails without any traffic leaving the machine.
    const svc = dockerService('nope', { image: '127.0.0.1:9/harness/nope:1' });
    const err = await new DockerExecutor({ engine }).start(svc, recordingContext(projectOf(project, [svc]))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HarnessError);
    const message = (err as HarnessError).message;
    expect(message).toBe(
      'service "nope": image "127.0.0.1:9/harness/nope:1" is not on this machine and cannot be pulled: the registry 127.0.0.1:9 ' +
        'cannot be reached from this machine; build it (a build: field in services.yaml, or docker build -t 127.0.0.1:9/harness/nope:1 DIR) ' +
        'or load it (docker load -i FILE)',
    );
    expect(message).not.toContain('\n');
    // The engine's own words are kept for whoever needs them.
    expect(((err as HarnessError).details as { reason: string }).reason).toMatch(/127\.0\.0\.1:9/);
  });

  it('fails quickly and names the socket when the engine is unreachable', async () => {
    const exec = new DockerExecutor({ engine: new DockerEngine({ DOCKER_HOST: 'unix:///nonexistent.sock' }) });
    const svc = dockerService('x');
    const t0 = Date.now();
    const err = await exec.start(svc, recordingContext(projectOf(project, [svc]))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HarnessError);
    expect((err as HarnessError).code).toBe('UNAVAILABLE');
    expect((err as HarnessError).message).toBe(
      'Docker engine not reachable at /nonexistent.sock (is dockerd running? start it with `sudo systemctl start docker` or `dockerd`)',
    );
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('follows the image HEALTHCHECK through health_status events', async () => {
    const svc = dockerService('native', { image: HEALTH_IMAGE, command: ['sh', '-c', 'sleep 2; touch /tmp/ready; exec sleep 600'] });
    const exec = new DockerExecutor({ engine });
    const inst = await exec.start(svc, recordingContext(projectOf(project, [svc])));
    const results: HealthResult[] = [];
    const ac = new AbortController();
    const watching = exec.watchNativeHealth(svc, inst, (r) => results.push(r), ac.signal);
    try {
      await waitFor(() => results.some((r) => r.ok), 20_000, 'healthy event');
      expect(results.find((r) => r.ok)?.message).toContain('healthy');
      expect(await exec.hasNativeHealth(inst)).toBe(true);
    } finally {
      ac.abort();
    }
    await expect(watching).resolves.toBe(true);

    const plain = dockerService('plain', { command: ['sleep', '600'] });
    const inst2 = await exec.start(plain, recordingContext(projectOf(project, [plain])));
    await expect(exec.watchNativeHealth(plain, inst2, () => undefined, new AbortController().signal)).resolves.toBe(false);
    await exec.stop(plain, inst2, { signal: 'SIGKILL', graceMs: 0 });
    await exec.stop(svc, inst, { signal: 'SIGKILL', graceMs: 0 });
  }, 40_000);

  it('passes TTY (non-multiplexed) container output through as stdout', async () => {
    const c = await engine.docker.createContainer({
      Image: BUSYBOX_IMAGE,
      Cmd: ['sh', '-c', 'echo tty-one; echo tty-two >&2'],
      Tty: true,
      Labels: { [LABEL_PROJECT]: project, [LABEL_SERVICE]: 'tty' },
    });
    await c.start();
    await c.wait();
    let out = '';
    await followLogs(c, { tty: true, since: 0, signal: new AbortController().signal }, (stream, chunk) => {
      expect(stream).toBe('stdout');
      out += chunk.toString();
    });
    expect(out).toContain('tty-one');
    expect(out).toContain('tty-two');
  });

  it('down removes every container of the project and its network, and nothing else', async () => {
    const other = uniqueProject('other');
    const a = dockerService('a', { command: ['sleep', '600'] });
    const exec = new DockerExecutor({ engine });
    await exec.start(a, recordingContext(projectOf(project, [a])));
    const bystander = await exec.start(a, recordingContext(projectOf(other, [a])));
    try {
      expect((await listProjectContainers(project, engine)).length).toBeGreaterThan(0);
      const report = await downProject(project, {}, engine);
      expect(report.network).toBe(`harness-${project}`);
      expect(await listProjectContainers(project, engine)).toEqual([]);
      const nets = await engine.docker.listNetworks({ filters: { label: [`${LABEL_PROJECT}=${project}`] } });
      expect(nets).toEqual([]);
      expect((await engine.docker.getContainer(bystander.id).inspect()).State.Running).toBe(true);
    } finally {
      await downProject(other, {}, engine);
    }
  }, 60_000);
});
