// Docker services through the BUILT `harness` binary, on a real engine: a stack where a Process
// service depends on a container and containers depend on processes, each making a real TCP
// connection over its injected <DEP>_ADDR/<DEP>_PORT; adoption after the supervisor is SIGKILLed;
// recreation on a changed config; orphans reported and removed; `down` leaving nothing; and an
// unreachable engine failing only the Docker service, clearly.
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceState } from '../../shared/service-state.js';
import { isAlive } from '../os/proc-stat.js';
import { DockerEngine } from '../executors/docker/engine.js';
import { localImageId } from '../executors/docker/images.js';
import { LABEL_PROJECT } from '../executors/docker/labels.js';
import { downProject } from '../executors/docker/project-ops.js';
import { uniqueProject } from '../executors/docker/test-support/fixtures.js';
import { BUSYBOX_IMAGE, dockerSkipReason, ensureTestImages } from '../executors/docker/test-support/test-images.js';
import type { PsDocker } from './docker-containers.js';
import { ensureBuilt, freePort, makeProject, ROOT, runCli, survivors, waitUntil, type Project } from './test-support/cli-harness.js';

const skip = await dockerSkipReason();
const engine = new DockerEngine();
const projects: Project[] = [];
const dockerProjects: string[] = [];
const images: string[] = [];

interface PsJson {
  supervisor: { pid: number } | null;
  services: ServiceState[];
  leftovers: Array<{ service: string; pids: number[] }>;
  docker: PsDocker | null;
}

async function ps(p: Project): Promise<PsJson> {
  const r = await p.run(['ps', '--json']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as PsJson;
}

const byName = (report: PsJson, name: string): ServiceState => report.services.find((s) => s.name === name) as ServiceState;

/** Answers every HTTP request with `pong-from-<name>` and logs who asked. */
const hostServer = (name: string, host: string): string => `
import { createServer } from 'node:http';
const port = Number(process.env.PORT);
createServer((req, res) => {
  console.log('${name}: request from ' + req.socket.remoteAddress);
  res.end('pong-from-${name}');
}).listen(port, '${host}', () => console.log('${name} listening on ${host}:' + port));
`;

const CLIENT = `
const url = 'http://' + process.env.BOX_ADDR + ':' + process.env.BOX_PORT + '/pong';
fetch(url).then((r) => r.text()).then(
  (t) => console.log('client: box said ' + t.trim() + ' via ' + process.env.BOX_ADDR + ':' + process.env.BOX_PORT),
  (e) => console.log('client: box failed ' + e.message),
);
setInterval(() => {}, 1000);
`;

// The box container: reaches the host process over the injected gateway address, prints a line to
// each stream, then serves HTTP (as PID 1 it needs its own TERM handler for a quick stop).
const BOX_SCRIPT = `
echo "box: hostecho said $(wget -qO- http://$HOSTECHO_ADDR:$HOSTECHO_PORT/) via $HOSTECHO_ADDR:$HOSTECHO_PORT"
echo "box: a line on stderr" >&2
echo pong-from-box > /www/pong
httpd -f -p 8080 -h /www &
trap 'kill $! 2>/dev/null; exit 0' TERM INT
wait
`;

interface StackOptions {
  project: string;
  boxImage: string;
  echoPort: number;
  loopPort: number;
  /** The edited file: box gets another env value and peer is removed. */
  changed?: boolean;
}

function stackYaml(o: StackOptions): string {
  const timing = 'interval: 100ms, timeout: 1s, retries: 3, start_period: 30s';
  const peer = `
  - name: peer
    target:
      type: Docker
      image: ${BUSYBOX_IMAGE}
      command: [sh, -c, 'echo "peer: box said $(wget -qO- http://$BOX_ADDR:$BOX_PORT/pong) via $BOX_ADDR:$BOX_PORT"; trap "exit 0" TERM; while :; do sleep 1; done']
    dependencies: [box, loop]
    health_check: {type: log, pattern: "peer: box said", ${timing}}
    stop_grace_period: 3s
`;
  return `name: ${o.project}
services:
  - name: hostecho
    target: {type: Process, binary: ${process.execPath}, args: [hostecho.mjs], env: {PORT: "${o.echoPort}"}, ports: [${o.echoPort}]}
    health_check: {type: tcp, host: 127.0.0.1, ${timing}}
  - name: loop
    target: {type: Process, binary: ${process.execPath}, args: [loop.mjs], env: {PORT: "${o.loopPort}"}, ports: [${o.loopPort}]}
    health_check: {type: tcp, host: 127.0.0.1, ${timing}}
  - name: box
    target:
      type: Docker
      image: ${o.boxImage}
      build: ./box
      ports: ["127.0.0.1::8080"]
      env: {MODE: "${o.changed ? 'two' : 'one'}"}
    dependencies: [hostecho]
    health_check: {type: http, url: "http://localhost:8080/pong", ${timing}}
    stop_grace_period: 3s
${o.changed ? '' : peer}
  - name: client
    target: {type: Process, binary: ${process.execPath}, args: [client.cjs]}
    dependencies: [box]
    health_check: {type: log, pattern: "client: box said", ${timing}}
`;
}

async function containerIds(project: string): Promise<Map<string, { id: string; startedAt: string }>> {
  const list = await engine.docker.listContainers({ all: true, filters: { label: [`${LABEL_PROJECT}=${project}`] } });
  const out = new Map<string, { id: string; startedAt: string }>();
  for (const c of list) {
    const info = await engine.docker.getContainer(c.Id).inspect();
    out.set(c.Labels['dev.harness.service'], { id: c.Id, startedAt: info.State.StartedAt });
  }
  return out;
}

async function networkExists(project: string): Promise<boolean> {
  return engine.docker
    .getNetwork(`harness-${project}`)
    .inspect()
    .then(
      () => true,
      () => false,
    );
}

async function killSupervisor(pid: number): Promise<void> {
  process.kill(pid, 'SIGKILL');
  await waitUntil(`supervisor ${pid} to die`, () => !isAlive(pid), 10_000);
}

describe.skipIf(skip !== null)(`harness CLI with Docker services${skip ? ` (skipped: ${skip})` : ''}`, () => {
  beforeAll(async () => {
    ensureBuilt();
    await ensureTestImages(engine);
  }, 240_000);

  afterAll(async () => {
    for (const p of projects.splice(0)) await p.cleanup().catch(() => undefined);
    for (const name of dockerProjects) await downProject(name, { removeVolumes: true }, engine).catch(() => undefined);
    for (const image of images) await engine.docker.getImage(image).remove({ force: true }).catch(() => undefined);
    // Builds label their images with the project: rebuilt ones left untagged go too.
    for (const name of dockerProjects) {
      const built = await engine.docker.listImages({ filters: { label: [`${LABEL_PROJECT}=${name}`] } }).catch(() => []);
      for (const image of built) await engine.docker.getImage(image.Id).remove({ force: true }).catch(() => undefined);
    }
  }, 120_000);

  it('up -d runs containers and processes that reach each other; adopts after SIGKILL; recreates on change; down leaves nothing', async () => {
    const project = uniqueProject('cli');
    dockerProjects.push(project);
    const boxImage = `harness-test/cli-box-${project}:1`;
    images.push(boxImage);
    const opts: StackOptions = { project, boxImage, echoPort: await freePort(), loopPort: await freePort() };
    const p = await makeProject(stackYaml(opts));
    projects.push(p);
    await writeFile(join(p.dir, 'hostecho.mjs'), hostServer('hostecho', '0.0.0.0'));
    await writeFile(join(p.dir, 'loop.mjs'), hostServer('loop', '127.0.0.1'));
    await writeFile(join(p.dir, 'client.cjs'), CLIENT);
    await mkdir(join(p.dir, 'box'));
    await writeFile(join(p.dir, 'box', 'Dockerfile'), `FROM ${BUSYBOX_IMAGE}\nCOPY run.sh /run.sh\nCMD ["sh", "/run.sh"]\n`);
    await writeFile(join(p.dir, 'box', 'run.sh'), BOX_SCRIPT);

    // --- up -d: build progress is printed, and it returns once every service is ready.
    const up = await p.run(['up', '-d'], 150_000);
    expect(up.code, up.stdout + up.stderr).toBe(0);
    expect(up.stdout).toMatch(/==> box: build: Step 1\/\d+ : FROM harness-test\/busybox:1/);
    expect(up.stdout).toMatch(new RegExp(`box +\\* started container harness-${project}-box \\([0-9a-f]{12}\\) on network harness-${project}`));
    expect(up.stdout).toMatch(/==> 5 service\(s\) ready/);

    const first = await ps(p);
    const gateway = (await engine.docker.getNetwork(`harness-${project}`).inspect()).IPAM?.Config?.[0]?.Gateway as string;
    expect(gateway).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    const ids = await containerIds(project);
    const box = byName(first, 'box');
    expect(box).toMatchObject({ type: 'Docker', status: 'healthy', instance: ids.get('box')?.id, address: '127.0.0.1' });
    const boxInfo = await engine.docker.getContainer(ids.get('box')?.id as string).inspect();
    const boxHostPort = Number(boxInfo.NetworkSettings.Ports['8080/tcp']?.[0]?.HostPort);
    expect(box.ports).toEqual([boxHostPort]);
    expect(byName(first, 'peer')).toMatchObject({ type: 'Docker', status: 'healthy', instance: ids.get('peer')?.id });
    // ps lists the containers as the engine sees them: id, address on the project network, ports.
    const listed = first.docker?.containers ?? [];
    expect(listed.map((c) => [c.service, c.id, c.state, c.orphan])).toEqual([
      ['box', ids.get('box')?.id, 'running', false],
      ['peer', ids.get('peer')?.id, 'running', false],
    ]);
    expect(listed[0].ports).toEqual([`127.0.0.1:${boxHostPort}->8080/tcp`]);
    expect(listed[0].ip).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    const table = await p.run(['ps']);
    expect(table.stdout).toMatch(new RegExp(`box +Docker +healthy +ok +${(ids.get('box')?.id as string).slice(0, 12)} +127\\.0\\.0\\.1 +${boxHostPort}`));

    // --- every injected address carried a real connection (read back through `harness logs`).
    const logs = await p.run(['logs']);
    expect(logs.code, logs.stderr).toBe(0);
    // Docker -> Process: the network's gateway and the process's port.
    expect(logs.stdout).toContain(`box      | box: hostecho said pong-from-hostecho via ${gateway}:${opts.echoPort}`);
    expect(logs.stdout).toMatch(new RegExp(`hostecho \\| hostecho: request from (::ffff:)?${gateway.split('.').slice(0, 2).join('\\.')}\\.`));
    // Both streams of a container, apart.
    expect(logs.stdout).toContain('box      ! box: a line on stderr');
    // Docker -> Docker: the service name on the project network and the container port.
    expect(logs.stdout).toContain('peer     | peer: box said pong-from-box via box:8080');
    // Process -> Docker: loopback and the published host port.
    expect(logs.stdout).toContain(`client   | client: box said pong-from-box via 127.0.0.1:${boxHostPort}`);
    // Docker -> a process listening on loopback only: a system line in the dependent's log, once.
    const warnings = logs.stdout.split('\n').filter((l) => l.startsWith('peer     * ') && l.includes(`loop listens on port ${opts.loopPort} only on 127.0.0.1`));
    expect(warnings).toHaveLength(1);
    const boxOnly = await p.run(['logs', 'box']);
    expect(boxOnly.stdout.trim().split('\n').every((l) => l.startsWith('box '))).toBe(true);
    expect(boxOnly.stdout).toContain('box ! box: a line on stderr');

    // --- SIGKILL the supervisor: containers and processes keep running; ps shows both kinds.
    const firstPids = ['hostecho', 'loop', 'client'].map((n) => byName(first, n).pid as number);
    await killSupervisor(first.supervisor?.pid as number);
    const orphaned = await ps(p);
    expect(orphaned.supervisor).toBeNull();
    expect(orphaned.leftovers.map((l) => l.service).sort()).toEqual(['client', 'hostecho', 'loop']);
    expect(orphaned.docker?.containers?.map((c) => [c.service, c.state])).toEqual([
      ['box', 'running'],
      ['peer', 'running'],
    ]);

    // --- up -d again: the containers are adopted (same container, same run), the processes restarted.
    const again = await p.run(['up', '-d'], 150_000);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(again.stdout).toMatch(new RegExp(`box +\\* adopted running instance ${ids.get('box')?.id}`));
    const second = await ps(p);
    const idsAfter = await containerIds(project);
    expect(idsAfter).toEqual(ids);
    expect(byName(second, 'box')).toMatchObject({ status: 'healthy', instance: ids.get('box')?.id });
    expect(byName(second, 'peer')).toMatchObject({ status: 'healthy', instance: ids.get('peer')?.id });
    const secondPids = ['hostecho', 'loop', 'client'].map((n) => byName(second, n).pid as number);
    for (const [i, pid] of secondPids.entries()) expect(pid).not.toBe(firstPids[i]);
    expect(survivors(firstPids)).toEqual([]);
    // The restarted client reached the adopted container through its published port again (its
    // log health check matched a line of this run).
    expect(byName(second, 'client').status).toBe('healthy');
    const clientLogs = await p.run(['logs', 'client']);
    expect(clientLogs.stdout).toContain(`client: box said pong-from-box via 127.0.0.1:${boxHostPort}`);

    // --- the file changes while no supervisor runs: box is recreated, peer (gone from the file)
    // is reported as an orphan, kept running until `down` removes it.
    await killSupervisor(second.supervisor?.pid as number);
    await writeFile(p.file, stackYaml({ ...opts, changed: true }));
    const third = await p.run(['up', '-d'], 150_000);
    expect(third.code, third.stdout + third.stderr).toBe(0);
    expect(third.stdout).toMatch(new RegExp(`box +\\* box: removed outdated container harness-${project}-box`));
    expect(third.stdout).toMatch(new RegExp(`_harness \\* peer: container harness-${project}-peer has no service in the file any more`));
    expect(third.stdout).toMatch(/==> 4 service\(s\) ready/);
    const idsChanged = await containerIds(project);
    expect(idsChanged.get('box')?.id).not.toBe(ids.get('box')?.id);
    expect(idsChanged.get('peer')?.id).toBe(ids.get('peer')?.id);
    expect(await engine.docker.getContainer(ids.get('box')?.id as string).inspect().then(() => 'exists', () => 'gone')).toBe('gone');
    const fourth = await ps(p);
    expect(fourth.docker?.containers?.find((c) => c.service === 'peer')?.orphan).toBe(true);
    expect(byName(fourth, 'box').instance).toBe(idsChanged.get('box')?.id);

    // --- down: no container, no network, no process, no supervisor.
    const pids = ['hostecho', 'loop', 'client'].map((n) => byName(fourth, n).pid as number);
    const down = await p.run(['down'], 90_000);
    expect(down.code, down.stdout + down.stderr).toBe(0);
    expect(down.stdout).toMatch(new RegExp(`peer: removed orphan container harness-${project}-peer`));
    expect(down.stdout).toContain(`removed network harness-${project}`);
    expect((await containerIds(project)).size).toBe(0);
    expect(await networkExists(project)).toBe(false);
    expect(survivors([...pids, ...secondPids])).toEqual([]);
    expect(isAlive(fourth.supervisor?.pid as number)).toBe(false);
  }, 420_000);

  it('examples/mixed runs offline: base image from busybox-static, locally built container between two processes', async () => {
    const project = uniqueProject('mixed');
    dockerProjects.push(project);
    const ports = { MIXED_STORE_PORT: await freePort(), MIXED_WEB_PORT: await freePort(), MIXED_CACHE_PORT: await freePort() };
    const p = await makeProject('services: []\n', { MIXED_PROJECT: project, ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])) });
    projects.push(p);
    const file = join(ROOT, 'examples', 'mixed', 'services.yaml');
    // Images the example makes are removed again unless they were there before.
    for (const image of ['harness-example/busybox:local', 'harness-example/mixed-cache:dev']) {
      if (!(await localImageId(engine.docker, image))) images.push(image);
    }
    await promisify(execFile)(join(ROOT, 'examples', 'mixed', 'make-base-image.sh'), { timeout: 60_000 });
    try {
      const up = await p.run(['up', '-d', '-f', file], 150_000);
      expect(up.code, up.stdout + up.stderr).toBe(0);
      expect(up.stdout).toMatch(/==> cache: build: Step 1\/\d+ : FROM harness-example\/busybox:local/);
      const page = await fetch(`http://127.0.0.1:${ports.MIXED_WEB_PORT}/`).then((r) => r.text());
      expect(page).toBe('web says: hello from the store (cached in a container)\n');
      const logs = await p.run(['-f', file, 'logs', 'cache']);
      expect(logs.stdout).toMatch(new RegExp(`cache \\| cache: got 'hello from the store' from the store at \\d+\\.\\d+\\.\\d+\\.\\d+:${ports.MIXED_STORE_PORT}`));
      expect(logs.stdout).toContain('cache ! cache: serving on :8080');
    } finally {
      const down = await runCli(['down', '-f', file], { cwd: p.dir, env: p.env, timeoutMs: 60_000 });
      expect(down.code, down.stdout + down.stderr).toBe(0);
    }
    expect((await containerIds(project)).size).toBe(0);
    expect(await networkExists(project)).toBe(false);
  }, 240_000);

  it('an unreachable engine fails the Docker service naming it and the socket; the Process service is healthy', async () => {
    const port = await freePort();
    const project = uniqueProject('noengine');
    const p = await makeProject(
      `name: ${project}
services:
  - name: solo
    target: {type: Process, binary: ${process.execPath}, args: [solo.mjs], env: {PORT: "${port}"}, ports: [${port}]}
    health_check: {type: tcp, host: 127.0.0.1}
  - name: box
    target: {type: Docker, image: ${BUSYBOX_IMAGE}, command: [sleep, "600"]}
`,
      { DOCKER_HOST: 'unix:///nonexistent.sock' },
    );
    projects.push(p);
    await writeFile(join(p.dir, 'solo.mjs'), hostServer('solo', '127.0.0.1'));

    const up = await p.run(['up', '-d'], 60_000);
    expect(up.code, up.stdout + up.stderr).toBe(1);
    expect(up.stderr).toContain('harness: box failed: Docker engine not reachable at /nonexistent.sock (is dockerd running?');
    const state = await ps(p);
    expect(byName(state, 'solo').status).toBe('healthy');
    expect(byName(state, 'box')).toMatchObject({ status: 'failed' });
    expect(byName(state, 'box').error).toContain('/nonexistent.sock');
    expect(state.docker).toMatchObject({ engine: '/nonexistent.sock', containers: null });

    const soloPid = byName(state, 'solo').pid as number;
    const down = await p.run(['down'], 60_000);
    // The processes are stopped; the containers could not be checked, which `down` says (exit 1).
    expect(down.stdout).toContain('Docker engine not reachable at /nonexistent.sock');
    expect(survivors([soloPid])).toEqual([]);
    expect(isAlive(state.supervisor?.pid as number)).toBe(false);
  }, 120_000);
});
