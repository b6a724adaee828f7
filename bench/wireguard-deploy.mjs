// `npm run bench -- wireguard`: a package (256 MB of incompressible data by default; set
// HARNESS_BENCH_PACKAGE_MB to change it, HARNESS_BENCH_ROUNDS for the transfer rounds, default 3) sent to an SSH test host over a real wireguard-go tunnel
// and over the plain link (the test-hosts bridge), against the tools a user would pick instead,
// in the same run:
//   - the transfer: Harness's SFTP upload (many requests in flight, over the shared connection)
//     against OpenSSH `scp` of the same file over the same link (target: >= 1.2x scp);
//   - the full deploy (check, transfer, verify, extract, start, healthy) against Ansible
//     (`copy` + `unarchive` + `shell`, then waiting for the port) when ansible-playbook is
//     installed (target: >= 3x faster);
//   - an unchanged redeploy (same sha256: nothing sent) — the restart of the deployed service
//     (target: < 300 ms).
// Needs root (network namespaces, wireguard-go).
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { ROOT, waitPorts } from './bench-support.mjs';
import { table } from './core-support.mjs';

const run$ = promisify(execFile);
const HOSTS = join(ROOT, 'scripts', 'test-hosts.sh');
const WG = join(ROOT, 'scripts', 'test-wireguard.sh');
const MB = Number(process.env.HARNESS_BENCH_PACKAGE_MB ?? 256);
const PORT = 18099;
const ROUNDS = Number(process.env.HARNESS_BENCH_ROUNDS ?? 3);
const ms = (v) => (Number.isFinite(v) ? v.toFixed(0) : 'n/a');
const mbps = (bytes, t) => `${((bytes / 1024 / 1024) / (t / 1000)).toFixed(0)} MB/s`;

async function makeHost(scratch) {
  for (const [script, what] of [[HOSTS, 'test hosts'], [WG, 'WireGuard tunnels']]) {
    const check = await run$('bash', [script, 'check']).catch((e) => e);
    if (check instanceof Error) return { skip: `${what}: ${(check.stdout || check.message).trim()}` };
  }
  const home = join(scratch, 'home');
  await mkdir(join(home, '.ssh'), { recursive: true, mode: 0o700 });
  const key = join(home, '.ssh', 'id_ed25519');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
  const desc = JSON.parse((await run$('bash', [HOSTS, 'create', '--hosts', '1', '--owner', String(process.pid), '--authorized-keys', `${key}.pub`], { timeout: 60_000 })).stdout);
  const h = desc.hosts[0];
  const wg = JSON.parse((await run$('bash', [WG, 'create', '--hosts-run', desc.run, '--owner', String(process.pid)], { timeout: 60_000 })).stdout);
  const peer = wg.hosts[0].address;
  const knownHosts = join(home, '.ssh', 'known_hosts');
  await writeFile(knownHosts, [h.address, peer].flatMap((a) => h.hostKeys.map((k) => `${a} ${k}\n`)).join(''), { mode: 0o600 });
  return { desc, wg, h, lan: h.address, peer, home, key, knownHosts };
}

/** A package of `mb` MB of random data plus a start.sh serving the release on PORT. */
async function makePackage(scratch) {
  const { buildPackage } = await import(join(ROOT, 'dist/main/executors/wireguard/index.js'));
  const src = join(scratch, 'pkg-src');
  await mkdir(src, { recursive: true });
  await writeFile(join(src, 'start.sh'), `#!/bin/sh\nexec busybox httpd -f -p 0.0.0.0:${PORT} -h .\n`);
  await chmod(join(src, 'start.sh'), 0o755);
  await writeFile(join(src, 'index.html'), 'bench\n');
  await new Promise((resolve, reject) => {
    const out = createWriteStream(join(src, 'blob.bin'));
    out.on('error', reject);
    let left = MB;
    const more = () => {
      while (left > 0) {
        left--;
        if (!out.write(randomBytes(1024 * 1024))) { out.once('drain', more); return; }
      }
      out.end(resolve);
    };
    more();
  });
  const file = join(scratch, 'bench-package.tar.gz');
  await buildPackage(src, { output: file });
  await rm(src, { recursive: true, force: true });
  return file;
}

const sshOpts = ({ key, knownHosts }) => [
  '-o', 'BatchMode=yes', '-o', `UserKnownHostsFile=${knownHosts}`, '-o', 'GlobalKnownHostsFile=/dev/null', '-o', 'StrictHostKeyChecking=yes', '-o', 'IdentitiesOnly=yes', '-i', key,
];

async function ssh(host, address, command) {
  return run$('ssh', [...sshOpts(host), `root@${address}`, command], { timeout: 120_000, maxBuffer: 16 * 1024 * 1024 });
}

/** Harness's upload (the deployer's transfer step) of `file` to `address`, on a fresh connection. */
async function harnessTransfer(host, address, file) {
  const { SshPool } = await import(join(ROOT, 'dist/main/ssh/index.js'));
  const pool = new SshPool({ homeDir: host.home, knownHostsFiles: [host.knownHosts], globalKnownHostsFiles: [], agentSocket: null });
  try {
    const h = pool.host({ host: address, port: 22, user: 'root' });
    // The connection's setup counts, as it does for scp (a deploy usually finds it open).
    const t0 = performance.now();
    await h.connect();
    await h.files.fastPut(file, '/tmp/bench-harness.part', { atomic: false });
    const t = performance.now() - t0;
    await h.exec(['rm', '-f', '/tmp/bench-harness.part']);
    return t;
  } finally {
    await pool.close();
  }
}

async function scpTransfer(host, address, file) {
  const t0 = performance.now();
  await run$('scp', ['-q', ...sshOpts(host), file, `root@${address}:/tmp/bench-scp.part`], { timeout: 600_000 });
  const t = performance.now() - t0;
  await ssh(host, address, 'rm -f /tmp/bench-scp.part');
  return t;
}

/** The full deploy through the core (a fresh package cache: the check here is included), then
 * an unchanged redeploy (restart with the same package: nothing sent). */
async function harnessDeploy(host, pkg, scratch) {
  const { ProjectRuntime } = await import(join(ROOT, 'dist/main/project/project-runtime.js'));
  const { createExecutors } = await import(join(ROOT, 'dist/main/executors/registry.js'));
  const { parseProject } = await import(join(ROOT, 'dist/main/config/parse-project.js'));
  const yaml = `name: wgbench
services:
  - name: api
    target: { type: Wireguard, host: "${host.peer}", user: root, package: "${pkg}", install_root: /opt/harness-bench, ports: [${PORT}] }
    health_check: { type: tcp, start_period: 120s }
    stop_grace_period: 2s
`;
  const dir = join(scratch, 'project');
  await mkdir(dir, { recursive: true });
  const stateDir = join(scratch, 'state');
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const { config, problems } = parseProject(yaml, join(dir, 'services.yaml'), {});
  if (!config) throw new Error(`bench stack invalid: ${JSON.stringify(problems.slice(0, 2))}`);
  const runtime = new ProjectRuntime({
    config,
    stateDir,
    executors: (log) => createExecutors({ log, ssh: { homeDir: host.home, knownHostsFiles: [host.knownHosts], globalKnownHostsFiles: [], agentSocket: null } }),
    onEvent: () => {},
  });
  try {
    const t0 = performance.now();
    const report = await runtime.manager.start();
    const deploy = performance.now() - t0;
    if (report.failed.length > 0) throw new Error(`harness deploy failed: ${report.failed[0].reason}`);
    await waitPorts(host.peer, [PORT], 120_000);
    const redeploys = [];
    for (let i = 0; i < 3; i++) {
      const t1 = performance.now();
      const again = await runtime.manager.restart(['api']);
      redeploys.push(performance.now() - t1);
      if (again.failed.length > 0) throw new Error(`harness redeploy failed: ${again.failed[0].reason}`);
    }
    await runtime.manager.stop();
    return { deploy, redeploy: redeploys.sort((a, b) => a - b)[1] };
  } finally {
    await runtime.dispose();
    await ssh(host, host.peer, 'rm -rf /opt/harness-bench').catch(() => {});
  }
}

async function ansibleDeploy(host, pkg, scratch) {
  const found = await run$('sh', ['-c', 'command -v ansible-playbook']).catch(() => null);
  if (!found) return { skip: 'ansible-playbook is not installed (Debian: apt-get install ansible-core)' };
  const inventory = join(scratch, 'inventory.ini');
  await writeFile(inventory, `peer ansible_host=${host.peer} ansible_user=root ansible_ssh_private_key_file=${host.key} ansible_python_interpreter=/usr/bin/python3 ` +
    `ansible_ssh_common_args='-o UserKnownHostsFile=${host.knownHosts} -o GlobalKnownHostsFile=/dev/null -o IdentitiesOnly=yes'\n`);
  const playbook = join(scratch, 'deploy.yml');
  await writeFile(playbook, `- hosts: all
  gather_facts: false
  tasks:
    - name: send the package
      copy: { src: "${pkg}", dest: /opt/ansible-bench/package.tar.gz, mode: "0600" }
    - name: a release directory
      file: { path: /opt/ansible-bench/release, state: directory }
    - name: unpack it
      unarchive: { src: /opt/ansible-bench/package.tar.gz, dest: /opt/ansible-bench/release, remote_src: true }
    - name: start it
      shell: "cd /opt/ansible-bench/release && setsid ./start.sh < /dev/null > /dev/null 2>&1 &"
`);
  await ssh(host, host.peer, 'mkdir -p /opt/ansible-bench');
  const t0 = performance.now();
  await run$('ansible-playbook', ['-i', inventory, playbook], {
    timeout: 900_000,
    env: { ...process.env, HOME: host.home, ANSIBLE_HOST_KEY_CHECKING: 'True', ANSIBLE_NOCOLOR: '1', ANSIBLE_LOCAL_TEMP: join(scratch, 'ansible-tmp') },
  });
  await waitPorts(host.peer, [PORT], 120_000);
  const elapsed = performance.now() - t0;
  await ssh(host, host.peer, `pkill -f '[b]usybox httpd -f -p 0.0.0.0:${PORT}'; rm -rf /opt/ansible-bench; true`);
  return { elapsed };
}

export async function run() {
  console.log(`machine: ${cpus().length} CPUs, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} (the host is a network namespace here, the tunnel userspace wireguard-go; other work on the machine shows in the load average)`);
  const scratch = await mkdtemp(join(tmpdir(), 'harness-bench-wg-'));
  let host;
  try {
    host = await makeHost(scratch);
    if (host.skip) { console.log(`skipped: ${host.skip}`); return; }
    const pkg = await makePackage(scratch);
    // The transfers send the canonical tar the deployer sends (what preparePackage writes).
    const { preparePackage } = await import(join(ROOT, 'dist/main/executors/wireguard/index.js'));
    const t0 = performance.now();
    const prepared = await preparePackage(pkg, { cacheDir: join(scratch, 'prep-cache') });
    const checkMs = performance.now() - t0;
    const file = prepared.written.file;
    const bytes = prepared.written.bytes;
    const rows = [['link', 'harness ms', 'scp ms', 'harness rate', 'scp rate', 'scp / harness']];
    // Alternated, each on a fresh connection (its setup included), the median of ROUNDS: one run of each is at the
    // mercy of whatever else the two cores do at that moment.
    const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    for (const [name, address] of [['WireGuard tunnel', host.peer], ['plain link', host.lan]]) {
      const scps = [];
      const hxs = [];
      for (let i = 0; i < ROUNDS; i++) {
        scps.push(await scpTransfer(host, address, file));
        hxs.push(await harnessTransfer(host, address, file));
      }
      const scp = median(scps);
      const hx = median(hxs);
      rows.push([name, ms(hx), ms(scp), mbps(bytes, hx), mbps(bytes, scp), `${(scp / hx).toFixed(2)}x`]);
    }
    console.log(`\nTransfer of the ${(bytes / 1024 / 1024).toFixed(0)} MB package, median of ${ROUNDS} alternated runs each (target: >= 1.2x scp)\n`);
    console.log(table(rows));

    const hx = await harnessDeploy(host, pkg, scratch);
    const ansible = await ansibleDeploy(host, pkg, scratch);
    console.log(`\nFull deploy over the tunnel: check, send, verify, unpack, start, healthy (target: >= 3x faster than Ansible; unchanged redeploy < 300 ms)\n`);
    console.log(table([
      ['method', 'time ms', 'time / harness'],
      ['harness deploy (check here included; it alone took ' + ms(checkMs) + ' ms)', ms(hx.deploy), '1.0x'],
      ansible.skip ? ['ansible-playbook (copy + unarchive + shell)', 'skipped', ansible.skip] : ['ansible-playbook (copy + unarchive + shell)', ms(ansible.elapsed), `${(ansible.elapsed / hx.deploy).toFixed(1)}x`],
      ['harness unchanged redeploy (restart, same sha256: nothing sent; median of 3)', ms(hx.redeploy), '-'],
    ]));
  } finally {
    if (host?.wg) await run$('bash', [WG, 'destroy', host.wg.run]).catch(() => {});
    if (host?.desc) await run$('bash', [HOSTS, 'destroy', host.desc.run]).catch(() => {});
    await rm(scratch, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  run().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
