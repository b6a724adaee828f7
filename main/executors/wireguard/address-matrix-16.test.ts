// All sixteen ordered pairs among the four kinds of location — a process here (P), a container
// here (C), a LAN host (L) and a WireGuard peer (W) — same-kind pairs included (two processes,
// two containers, two LAN hosts, two peers), made of real parts: SSH test hosts in network
// namespaces (two as LAN hosts, two as peers behind a real wireguard-go tunnel), a busybox
// container, processes here. Each cell is a real HTTP exchange made by the dependent with nothing
// but its injected <DEP>_ADDR / <DEP>_PORT. The 4x4 matrix of pass/fail is printed.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerSkipReason, ensureTestImages, BUSYBOX_IMAGE } from '../docker/test-support/test-images.js';
import { freePort } from '../../test-support/ports.js';
import { createTestHosts, type TestHostSet } from '../../test-support/test-hosts/test-hosts.js';
import { createTestTunnel, wireguardSkipReason, type TestTunnel } from '../../test-support/test-wireguard/test-wireguard.js';
import { remoteStack, type RemoteStack } from '../remote-lan/test-support/remote-stack.js';
import { makePackage } from './test-support/packages.js';

const skip = (await wireguardSkipReason()) ?? (await dockerSkipReason());

const KINDS = ['P', 'C', 'L', 'W'] as const;
type Kind = (typeof KINDS)[number];

/** An HTTP server answering "I am NAME" on 0.0.0.0:PORT. */
const server = (name: string, port: number | string) => `require('http').createServer((q, s) => s.end('I am ${name}')).listen(${port}, '0.0.0.0')`;

/** Fetches http://$<DEP>_ADDR:$<DEP>_PORT/ (retrying while it comes up) and prints what came back. */
const CLIENT = `
const dep = process.env.DEP;
const host = process.env[dep + '_ADDR'], port = process.env[dep + '_PORT'];
console.log('using ' + host + ':' + port);
const go = (n) => require('http').get({ host, port, path: '/', timeout: 2000 }, (r) => {
  let b = ''; r.on('data', (d) => (b += d)); r.on('end', () => { console.log('got ' + b); setInterval(() => {}, 1e9); });
}).on('error', (e) => (n > 0 ? setTimeout(() => go(n - 1), 200) : (console.log('failed ' + e.message), setInterval(() => {}, 1e9))));
go(50);
`;

/** The server each kind's column depends on; for the same-kind row, the second of that kind. */
const TARGET: Record<Kind, { name: string; body: string }> = {
  P: { name: 'p', body: 'I am p' },
  C: { name: 'c', body: 'hello from harness-test' },
  L: { name: 'l1', body: 'I am l1' },
  W: { name: 'w1', body: 'I am w1' },
};
/** The same-kind peer servers the dependents of other kinds use. */
const OTHER: Record<Kind, { name: string; body: string }> = {
  P: TARGET.P,
  C: TARGET.C,
  L: { name: 'l0', body: 'I am l0' },
  W: { name: 'w0', body: 'I am w0' },
};

const cellName = (from: Kind, to: Kind) => `${from.toLowerCase()}2${to.toLowerCase()}`;
const targetOf = (from: Kind, to: Kind) => (from === to ? TARGET[to] : to === 'L' || to === 'W' ? OTHER[to] : TARGET[to]);

function stackYaml(ports: { p: number; c: number }, pkgs: { server0: string; server1: string; client: string }): string {
  const dep = (from: Kind, to: Kind) => targetOf(from, to).name;
  const client = (from: Kind, to: Kind): string => {
    const name = cellName(from, to);
    const d = dep(from, to);
    const env = `{ DEP: ${d.toUpperCase()} }`;
    switch (from) {
      case 'P':
        return `  - name: ${name}\n    target: { type: Process, binary: node, args: [-e, ${JSON.stringify(CLIENT)}], env: ${env} }\n    dependencies: [${d}]`;
      case 'C': {
        const D = d.toUpperCase();
        const sh = `echo "using $${D}_ADDR:$${D}_PORT"; for i in $(seq 1 30); do if out=$(wget -qO- "http://$${D}_ADDR:$${D}_PORT/"); then echo "got $out"; exec sleep 100000; fi; sleep 0.3; done; echo failed; exec sleep 100000`;
        return `  - name: ${name}\n    target: { type: Docker, image: ${BUSYBOX_IMAGE}, command: [sh, -c, ${JSON.stringify(sh)}] }\n    dependencies: [${d}]`;
      }
      case 'L':
        return `  - name: ${name}\n    target: { type: RemoteLan, host: "\${HOST0}", user: root, binary: node, args: [-e, ${JSON.stringify(CLIENT)}], env: ${env} }\n    dependencies: [${d}]`;
      case 'W':
        return `  - name: ${name}\n    target: { type: Wireguard, host: "\${PEER0}", user: root, package: "${pkgs.client}", env: ${env} }\n    dependencies: [${d}]`;
    }
  };
  const clients = KINDS.flatMap((from) => KINDS.map((to) => client(from, to))).join('\n');
  return `
name: matrix16
services:
  - name: p
    target: { type: Process, binary: node, args: [-e, "${server('p', ports.p)}"], ports: [${ports.p}] }
    health_check: { type: tcp, interval: 100ms }
  - name: c
    target: { type: Docker, image: ${BUSYBOX_IMAGE}, command: [httpd, -f, -p, "80", -h, /www], ports: ["127.0.0.1:${ports.c}:80"] }
    health_check: { type: tcp, port: 80, interval: 100ms }
  - name: l0
    target: { type: RemoteLan, host: "\${HOST0}", user: root, binary: node, args: [-e, "${server('l0', 18080)}"], ports: [18080] }
    health_check: { type: tcp, interval: 100ms }
  - name: l1
    target: { type: RemoteLan, host: "\${HOST1}", user: root, binary: node, args: [-e, "${server('l1', 18080)}"], ports: [18080] }
    health_check: { type: tcp, interval: 100ms }
  - name: w0
    target: { type: Wireguard, host: "\${PEER0}", user: root, package: "${pkgs.server0}", ports: [18090] }
    health_check: { type: tcp, interval: 100ms }
  - name: w1
    target: { type: Wireguard, host: "\${PEER1}", user: root, package: "${pkgs.server1}", ports: [18090] }
    health_check: { type: tcp, interval: 100ms }
${clients}
`;
}

describe.skipIf(skip !== null)(`all sixteen address pairs, by real connections${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let set: TestHostSet;
  let tunnel: TestTunnel;
  let stack: RemoteStack;
  let pkgDir: string;

  beforeAll(async () => {
    await ensureTestImages();
    set = await createTestHosts({ hosts: 4 });
    // Hosts 0 and 1 are LAN hosts; 2 and 3 are WireGuard peers (reached at their tunnel address).
    tunnel = await createTestTunnel(set, { hosts: [2, 3] });
    pkgDir = await mkdtemp(join(tmpdir(), 'hx-matrix16-'));
    const serverPkg = (name: string) => makePackage(pkgDir, name, { 'start.sh': `#!/bin/sh\nexec node -e "${server(name, 18090)}"\n` });
    const pkgs = {
      server0: await serverPkg('w0'),
      server1: await serverPkg('w1'),
      client: await makePackage(pkgDir, 'client', { 'start.sh': '#!/bin/sh\nexec node ./client.js\n', 'client.js': CLIENT }),
    };
    stack = await remoteStack(set, stackYaml({ p: await freePort(), c: await freePort() }, pkgs), {
      env: { PEER0: tunnel.peer(2).address, PEER1: tunnel.peer(3).address },
    });
  }, 240_000);

  afterAll(async () => {
    await stack?.dispose();
    await tunnel?.destroy();
    await set?.destroy();
    if (pkgDir) await rm(pkgDir, { recursive: true, force: true });
  }, 180_000);

  it('every ordered pair connects with its injected address only (the matrix is printed)', async () => {
    const report = await stack.runtime.manager.start();
    const results = new Map<string, { ok: boolean; line: string }>();
    for (const from of KINDS) {
      for (const to of KINDS) {
        const name = cellName(from, to);
        const answered = () => stack.lines(name, 'stdout').find((l) => l.startsWith('got ') || l.startsWith('failed '));
        await stack.waitFor(`${name}'s answer`, () => answered() !== undefined || report.failed.some((f) => f.service === name), 40_000).catch(() => undefined);
        const line = answered() ?? report.failed.find((f) => f.service === name)?.reason ?? 'no answer';
        results.set(name, { ok: line === `got ${targetOf(from, to).body}`, line: `${stack.lines(name, 'stdout')[0] ?? ''} -> ${line}` });
      }
    }
    const rows = [
      `dependent \\ dependency   ${KINDS.map((k) => k.padEnd(5)).join('')}`,
      ...KINDS.map((from) => `${from.padEnd(24)} ${KINDS.map((to) => (results.get(cellName(from, to))!.ok ? 'pass ' : 'FAIL ')).join('')}`),
    ];
    console.log(`address matrix (P process here, C container here, L LAN host, W WireGuard peer):\n${rows.join('\n')}\n` +
      [...results].map(([n, r]) => `  ${n}: ${r.line}`).join('\n'));
    expect(report.failed).toEqual([]);
    for (const [name, r] of results) expect(r.ok, `${name}: ${r.line}`).toBe(true);
  }, 300_000);

  it('injects a peer this machine at its tunnel address, and the peers by their tunnel address', () => {
    const wp = stack.lines('w2p', 'stdout')[0];
    expect(wp).toMatch(new RegExp(`^using ${tunnel.localAddress.replace(/\./g, '\\.')}:\\d+$`));
    expect(stack.lines('p2w', 'stdout')[0]).toBe(`using ${tunnel.peer(2).address}:18090`);
    const topo = stack.runtime.network.topology();
    expect(topo.edges.find((e) => e.from === 'w2c')?.tunnel?.kind).toBe('publish');
  });
});
