// `npm run bench -- remote`: starting 20 RemoteLan services on one real sshd test host and waiting
// until each is ready (it answers TCP from here), against the tools a user would pick instead, in
// the same run: a sequential shell loop of OpenSSH `ssh host 'setsid … &'`, and Ansible
// (`ansible-playbook`, shell module + async) when installed. Also: the TCP connections Harness
// opened, and the time from cutting the host's link to the services showing `unknown` with the
// default keepalive (5 s × 2, documented bound 15 s). Needs root (network namespaces).
import { execFile, execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { ROOT, waitPorts } from './bench-support.mjs';
import { table } from './core-support.mjs';

const run$ = promisify(execFile);
const N = 20;
const PORT0 = 19001;
const SCRIPT = join(ROOT, 'scripts', 'test-hosts.sh');
const ms = (v) => (Number.isFinite(v) ? v.toFixed(0) : 'n/a');

const program = (port) => `setsid busybox httpd -f -p 0.0.0.0:${port} -h /tmp < /dev/null > /dev/null 2>&1 &`;

async function makeHost(scratch) {
  const check = await run$('bash', [SCRIPT, 'check']).catch((e) => e);
  if (check instanceof Error) return { skip: (check.stdout || check.message).trim() };
  const home = join(scratch, 'home');
  await mkdir(join(home, '.ssh'), { recursive: true, mode: 0o700 });
  const key = join(home, '.ssh', 'id_ed25519');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
  const desc = JSON.parse((await run$('bash', [SCRIPT, 'create', '--hosts', '1', '--owner', String(process.pid), '--authorized-keys', `${key}.pub`], { timeout: 60_000 })).stdout);
  const h = desc.hosts[0];
  const knownHosts = join(home, '.ssh', 'known_hosts');
  await writeFile(knownHosts, h.hostKeys.map((k) => `${h.address} ${k}\n`).join(''), { mode: 0o600 });
  return { desc, h, home, key, knownHosts };
}

const sshdConnections = async (h) => (await readFile(join(h.dir, 'etc-ssh', 'sshd.log'), 'utf8')).split('\n').filter((l) => l.startsWith('Connection from ')).length;
const killServers = (desc) => run$('bash', [SCRIPT, 'exec', desc.run, '0', 'sh', '-c', "pkill -f '[b]usybox httpd -f -p 0.0.0.0:190' ; true"]);

async function harnessRun({ desc, h, home, knownHosts }, scratch) {
  const { ProjectRuntime } = await import(join(ROOT, 'dist/main/project/project-runtime.js'));
  const { createExecutors } = await import(join(ROOT, 'dist/main/executors/registry.js'));
  const { parseProject } = await import(join(ROOT, 'dist/main/config/parse-project.js'));
  const yaml = `services:\n${Array.from({ length: N }, (_, i) => `  - name: s${i}
    target: { type: RemoteLan, host: "${h.address}", user: root, binary: busybox, args: [httpd, -f, -p, "0.0.0.0:${PORT0 + i}", -h, /tmp], ports: [${PORT0 + i}] }
    health_check: { type: tcp }\n`).join('')}`;
  const dir = join(scratch, 'project');
  await mkdir(dir, { recursive: true });
  const stateDir = join(scratch, 'state');
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const { config, problems } = parseProject(yaml, join(dir, 'services.yaml'), {});
  if (!config) throw new Error(`bench stack invalid: ${JSON.stringify(problems.slice(0, 2))}`);
  const runtime = new ProjectRuntime({
    config,
    stateDir,
    executors: (log) => createExecutors({ log, ssh: { homeDir: home, knownHostsFiles: [knownHosts], globalKnownHostsFiles: [], agentSocket: null } }),
    onEvent: () => {},
  });
  try {
    const before = await sshdConnections(h);
    const t0 = performance.now();
    const report = await runtime.manager.start();
    const elapsed = performance.now() - t0;
    if (report.ready.length !== N) throw new Error(`harness: only ${report.ready.length} of ${N} ready: ${JSON.stringify(report.failed.slice(0, 2))}`);
    const stats = runtime.executors.get('RemoteLan').sshPool.hosts()[0].stats();
    const connections = (await sshdConnections(h)) - before;

    // The link cut: how long until every service shows `unknown`, with the default keepalive.
    await run$('bash', [SCRIPT, 'link', desc.run, '0', 'down']);
    const cut = performance.now();
    let detectedMs = NaN;
    for (let i = 0; i < 4000; i++) {
      if (runtime.manager.states().every((s) => s.status === 'unknown')) { detectedMs = performance.now() - cut; break; }
      await new Promise((r) => setTimeout(r, 10));
    }
    await run$('bash', [SCRIPT, 'link', desc.run, '0', 'up']);
    for (let i = 0; i < 6000 && !runtime.manager.states().every((s) => s.status === 'healthy'); i++) await new Promise((r) => setTimeout(r, 10));
    const backMs = performance.now() - cut - detectedMs;
    await runtime.manager.stop();
    return { elapsed, connections, tcpConnects: stats.tcpConnects, peak: stats.peakConnections, detectedMs, backMs };
  } finally {
    await runtime.dispose();
    await killServers(desc);
  }
}

async function sshLoopRun({ desc, h, key, knownHosts }) {
  const ports = Array.from({ length: N }, (_, i) => PORT0 + i);
  const before = await sshdConnections(h);
  const t0 = performance.now();
  for (const port of ports) {
    await run$('ssh', [
      '-o', 'BatchMode=yes', '-o', `UserKnownHostsFile=${knownHosts}`, '-o', 'GlobalKnownHostsFile=/dev/null', '-o', 'StrictHostKeyChecking=yes',
      '-o', 'IdentitiesOnly=yes', '-i', key, `root@${h.address}`, program(port),
    ], { timeout: 30_000 });
  }
  await waitPorts(h.address, ports);
  const elapsed = performance.now() - t0;
  const connections = (await sshdConnections(h)) - before;
  await killServers(desc);
  return { elapsed, connections };
}

async function ansibleRun({ desc, h, home, key, knownHosts }, scratch) {
  const found = await run$('sh', ['-c', 'command -v ansible-playbook']).catch(() => null);
  if (!found) return { skip: 'ansible-playbook is not installed (Debian: apt-get install ansible-core)' };
  const ports = Array.from({ length: N }, (_, i) => PORT0 + i);
  const inventory = join(scratch, 'inventory.ini');
  await writeFile(inventory, `lab ansible_host=${h.address} ansible_user=root ansible_ssh_private_key_file=${key} ansible_python_interpreter=/usr/bin/python3 ` +
    `ansible_ssh_common_args='-o UserKnownHostsFile=${knownHosts} -o GlobalKnownHostsFile=/dev/null -o IdentitiesOnly=yes'\n`);
  const playbook = join(scratch, 'start.yml');
  await writeFile(playbook, `- hosts: all
  gather_facts: false
  tasks:
    - name: start the services
      shell: "setsid busybox httpd -f -p 0.0.0.0:{{ item }} -h /tmp < /dev/null > /dev/null 2>&1"
      async: 3600
      poll: 0
      loop: [${ports.join(', ')}]
`);
  const before = await sshdConnections(h);
  const t0 = performance.now();
  await run$('ansible-playbook', ['-i', inventory, playbook], {
    timeout: 300_000,
    env: { ...process.env, HOME: home, ANSIBLE_HOST_KEY_CHECKING: 'True', ANSIBLE_NOCOLOR: '1', ANSIBLE_LOCAL_TEMP: join(scratch, 'ansible-tmp') },
  });
  await waitPorts(h.address, ports);
  const elapsed = performance.now() - t0;
  const connections = (await sshdConnections(h)) - before;
  await killServers(desc);
  return { elapsed, connections };
}

export async function run() {
  console.log(`machine: ${cpus().length} CPUs, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} (one run of each; the host is a network namespace here)`);
  const scratch = await mkdtemp(join(tmpdir(), 'harness-bench-remote-'));
  let host;
  try {
    host = await makeHost(scratch);
    if (host.skip) { console.log(`skipped: ${host.skip}`); return; }
    const harness = await harnessRun(host, scratch);
    const loop = await sshLoopRun(host);
    const ansible = await ansibleRun(host, scratch);
    const ratio = (t) => `${(t / harness.elapsed).toFixed(1)}x`;
    console.log(`\nStart ${N} services on one host and wait until each answers TCP (targets: >= 2x faster than the ssh loop, >= 5x than Ansible, one connection)\n`);
    console.log(table([
      ['method', 'time ms', 'time / harness', 'TCP connections to sshd'],
      ['harness (RemoteLan, one shared connection)', ms(harness.elapsed), '1.0x', `${harness.connections} (pool: ${harness.tcpConnects} opened, ${harness.peak} at once)`],
      ['sequential ssh loop (OpenSSH, setsid … &)', ms(loop.elapsed), ratio(loop.elapsed), String(loop.connections)],
      ansible.skip ? ['ansible-playbook (shell + async)', 'skipped', ansible.skip, '-'] : ['ansible-playbook (shell + async)', ms(ansible.elapsed), ratio(ansible.elapsed), String(ansible.connections)],
    ]));
    console.log(`\nLink cut (veth down) with the default keepalive (5 s x 2; documented bound 15 s)\n`);
    console.log(table([
      ['metric', 'ms'],
      [`cut -> all ${N} services 'unknown'`, ms(harness.detectedMs)],
      ['link restored -> all healthy again', ms(harness.backMs)],
    ]));
  } finally {
    if (host?.desc) await run$('bash', [SCRIPT, 'destroy', host.desc.run]).catch(() => {});
    await rm(scratch, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  run().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
