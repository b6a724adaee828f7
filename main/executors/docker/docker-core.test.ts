// The Docker executor inside the real core: every injected address of the location table carries
// a real TCP connection, health gates dependents, a dead engine fails only the Docker services,
// and a supervisor killed with SIGKILL leaves containers that the next one adopts.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceConfig } from '../../../shared/config-types.js';
import { DockerEngine } from './engine.js';
import { downProject, listProjectContainers } from './project-ops.js';
import { createDockerCore } from './test-support/docker-core.js';
import { freePorts } from '../../test-support/ports.js';
import { dockerService, freePort, projectOf, timing, uniqueProject, waitFor } from './test-support/fixtures.js';
import { dockerSkipReason, ensureTestImages } from './test-support/test-images.js';

const skip = await dockerSkipReason();
const engine = new DockerEngine();
const projects: string[] = [];
const cleanups: Array<() => Promise<void> | void> = [];

function processService(name: string, script: string, ports: number[], deps: string[] = []): ServiceConfig {
  return {
    name,
    target: { type: 'Process', binary: process.execPath, args: ['-e', script], env: {}, working_dir: tmpdir(), ports },
    dependencies: deps,
    ...(ports.length ? { health_check: { type: 'tcp' as const, host: '127.0.0.1', port: ports[0], ...timing } } : {}),
    restart: { policy: 'no', max_retries: 0, backoff_ms: 100, max_backoff_ms: 100 },
    stop_signal: 'SIGTERM',
    stop_grace_period_ms: 2000,
  };
}

/** A node script that answers every request with `body` on host:port and logs who asked. */
function serveScript(body: string, host: string, port: number): string {
  return `require('http').createServer((q, r) => { console.log('peer ' + q.socket.remoteAddress); r.end(${JSON.stringify(body)}); }).listen(${port}, ${JSON.stringify(host)});`;
}

describe.skipIf(skip !== null)(`Docker services in the core${skip ? ` (skipped: ${skip})` : ''}`, () => {
  beforeAll(async () => {
    await ensureTestImages(engine);
  }, 120_000);

  afterAll(async () => {
    for (const c of cleanups.reverse()) await Promise.resolve(c()).catch(() => undefined);
    for (const p of projects) await downProject(p, { removeVolumes: true }, engine).catch(() => undefined);
  }, 60_000);

  it('connects over every injected address: Docker->Docker, Docker->Process, Process->Docker; gates on health; warns on loopback-only', async () => {
    const name = uniqueProject('net');
    projects.push(name);
    // The Process services serve HTTP themselves: one reachable from containers, one bound to
    // loopback only (which must produce the warning). Each logs who asked.
    const [openPort, loopPort, webPort] = await freePorts(3);
    const open = { port: openPort };
    const loop = { port: loopPort };
    const services: ServiceConfig[] = [
      processService('hostsvc', serveScript('from-hostsvc', '0.0.0.0', openPort), [openPort]),
      processService('loopsvc', serveScript('from-loop', '127.0.0.1', loopPort), [loopPort]),
      dockerService(
        'web',
        { ports: [`${webPort}:8080`], command: ['sh', '-c', 'sleep 1; echo web-up; exec httpd -f -p 8080 -h /www'] },
        { health: { type: 'http', url: 'http://localhost:8080/index.html', expect_status: 200, ...timing } },
      ),
      dockerService(
        'client',
        {
          command: [
            'sh',
            '-c',
            'echo "D2D $WEB_ADDR:$WEB_PORT $(wget -qO- http://$WEB_ADDR:$WEB_PORT/index.html)"; ' +
              'echo "D2P $HOSTSVC_ADDR:$HOSTSVC_PORT $(wget -qO- http://$HOSTSVC_ADDR:$HOSTSVC_PORT/)"; ' +
              'echo "GW $(wget -qO- http://host.docker.internal:$HOSTSVC_PORT/)"; echo client-done; exec sleep 600',
          ],
        },
        { deps: ['web', 'hostsvc', 'loopsvc'] },
      ),
      processService(
        'hostclient',
        `fetch('http://' + process.env.WEB_ADDR + ':' + process.env.WEB_PORT + '/index.html').then(r => r.text())
           .then(t => console.log('P2D ' + process.env.WEB_ADDR + ':' + process.env.WEB_PORT + ' ' + t.trim()), e => console.log('P2D failed ' + e.message));
         setInterval(() => {}, 1000);`,
        [],
        ['web'],
      ),
    ];
    const core = await createDockerCore(projectOf(name, services));
    cleanups.push(() => core.dispose());
    const report = await core.manager.start();
    expect(report.failed).toEqual([]);

    await waitFor(() => core.text('client').includes('client-done'), 20_000, 'client output');
    await waitFor(() => core.text('hostclient').includes('P2D'), 20_000, 'hostclient output');
    const client = core.text('client');
    // Docker -> Docker: the service name on the project network and the container port.
    expect(client).toContain('D2D web:8080 hello from harness-test');
    // Docker -> Process: the network's gateway and the process's port, and host.docker.internal.
    const gateway = (await core.docker.network(name)).gateway;
    expect(gateway).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(client).toContain(`D2P ${gateway}:${open.port} from-hostsvc`);
    expect(client).toContain('GW from-hostsvc');
    expect(core.text('hostsvc').match(/peer \S+/g)?.length ?? 0).toBeGreaterThanOrEqual(2);
    // Process -> Docker: loopback and the published host port.
    expect(core.text('hostclient')).toContain(`P2D 127.0.0.1:${webPort} hello from harness-test`);
    // Loopback-only process: the edge carries a warning and the dependent gets a system line.
    expect(core.warnings.join('\n')).toContain(`loopsvc listens on port ${loop.port} only on 127.0.0.1`);
    expect(core.text('client')).toContain('system: loopsvc listens on port');
    expect(core.network.resolveServiceIp('client', 'loopsvc').warning).toContain('only on 127.0.0.1');
    // Health gating: the dependent was launched only after web was healthy.
    const seqOf = (svc: string, status: string): number =>
      core.events.flatMap((e) => (e.type === 'status' && e.event.state.name === svc && e.event.state.status === status ? [e.event.seq] : []))[0] ?? -1;
    expect(seqOf('web', 'healthy')).toBeGreaterThan(0);
    expect(seqOf('client', 'starting')).toBeGreaterThan(seqOf('web', 'healthy'));
    expect(seqOf('hostclient', 'starting')).toBeGreaterThan(seqOf('web', 'healthy'));
    // ps view: how this machine reaches web.
    expect(core.manager.getServiceStatus('web')).toMatchObject({ address: '127.0.0.1', ports: [webPort] });

    await core.manager.stop();
    await core.docker.down(name);
    expect(await listProjectContainers(name, engine)).toEqual([]);
  }, 90_000);

  it('fails Docker services with a clear message when the engine is unreachable, while Process services run', async () => {
    const name = uniqueProject('noengine');
    const port = await freePort();
    const services = [
      processService('proc', `require('net').createServer(s => s.end()).listen(${port}, '127.0.0.1'); setInterval(() => {}, 1000)`, [port]),
      dockerService('box', { command: ['sleep', '600'] }),
    ];
    const core = await createDockerCore(projectOf(name, services), new DockerEngine({ DOCKER_HOST: 'unix:///nonexistent.sock' }));
    cleanups.push(() => core.dispose());
    const t0 = Date.now();
    const report = await core.manager.start();
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(report.ready).toContain('proc');
    expect(report.failed.map((f) => f.service)).toEqual(['box']);
    expect(report.failed[0].reason).toContain('Docker engine not reachable at /nonexistent.sock');
    expect(core.manager.getServiceStatus('proc').status).toBe('healthy');
    expect(core.manager.getServiceStatus('box').status).toBe('failed');
  }, 30_000);

  it('adopts containers after the supervisor is SIGKILLed: same container, not restarted, history replayed', async () => {
    const name = uniqueProject('adopt');
    projects.push(name);
    const svc = dockerService('keeper', { command: ['sh', '-c', 'echo before-crash; exec sleep 600'] });
    const proj = projectOf(name, [svc]);

    const outDir = await mkdtemp(join(tmpdir(), 'harness-driver-'));
    cleanups.push(() => rm(outDir, { recursive: true, force: true }));
    const driver = join(outDir, 'driver.cjs');
    await build({
      entryPoints: [resolve(import.meta.dirname, 'test-support/supervisor-driver.ts')],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      outfile: driver,
      packages: 'external',
      logLevel: 'silent',
    });
    const child: ChildProcess = spawn(process.execPath, [driver, JSON.stringify(proj)], {
      env: { ...process.env, NODE_PATH: resolve(import.meta.dirname, '../../../node_modules') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    cleanups.push(() => void child.kill('SIGKILL'));
    let out = '';
    let err = '';
    child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
    await waitFor(() => out.includes('\n') || child.exitCode !== null, 30_000, `driver start (stderr: ${err})`);
    const ids = JSON.parse(out) as Record<string, string>;
    const before = await engine.docker.getContainer(ids.keeper).inspect();
    expect(before.State.Running).toBe(true);

    child.kill('SIGKILL');
    await waitFor(() => child.exitCode !== null || child.signalCode !== null, 10_000, 'driver to die');

    const core = await createDockerCore(proj);
    cleanups.push(() => core.dispose());
    const recovered = await core.manager.recover();
    expect(recovered.adopted).toEqual(['keeper']);
    const state = core.manager.getServiceStatus('keeper');
    expect(state.instance).toBe(ids.keeper);
    const after = await engine.docker.getContainer(ids.keeper).inspect();
    expect(after.State.StartedAt).toBe(before.State.StartedAt);
    expect(after.RestartCount).toBe(before.RestartCount);
    await waitFor(() => core.text('keeper').includes('before-crash'), 10_000, 'history of the adopted container');

    // Starting the project now keeps the adopted container rather than recreating it.
    const report = await core.manager.start();
    expect(report.failed).toEqual([]);
    expect(core.manager.getServiceStatus('keeper').instance).toBe(ids.keeper);

    await core.manager.stop();
    // Stop removed the container already; down is left with the network.
    expect(await listProjectContainers(name, engine)).toEqual([]);
    const down = await core.docker.down(name);
    expect(down.network).toBe(`harness-${name}`);
  }, 90_000);
});
