// The address matrix across hosts: a process here, a container here, a LAN host and a second LAN
// host, each cell a real TCP (HTTP) exchange made by the dependent with nothing but its injected
// <DEP>_ADDR / <DEP>_PORT — tunnels included: a remote forward when a remote service depends on a
// process listening only on 127.0.0.1 here or on a container published on 127.0.0.1, a local
// forward when a process here depends on a remote service listening only on its host's loopback,
// and a relay through this machine between two hosts for the same. The topology reports it all.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerSkipReason, ensureTestImages, BUSYBOX_IMAGE } from '../docker/test-support/test-images.js';
import { freePort } from '../../test-support/ports.js';
import { createTestHosts, testHostsSkipReason, type TestHostSet } from '../../test-support/test-hosts/test-hosts.js';
import { remoteStack, type RemoteStack } from './test-support/remote-stack.js';

const skip = (await testHostsSkipReason()) ?? (await dockerSkipReason());

/** An HTTP server answering "I am NAME" on HOST:PORT (node, here or on a host). */
const server = (name: string, host: string, port: number | string) =>
  `require('http').createServer((q, s) => s.end('I am ${name}')).listen(${port}, '${host}', () => console.log('listening'))`;

/** Fetches http://$<DEP>_ADDR:$<DEP>_PORT/ (retrying while it comes up) and prints what came back. */
const CLIENT = `
const dep = process.env.DEP;
const host = process.env[dep + '_ADDR'], port = process.env[dep + '_PORT'];
console.log('using ' + host + ':' + port);
const go = (n) => require('http').get({ host, port, path: '/' }, (r) => {
  let b = ''; r.on('data', (d) => (b += d)); r.on('end', () => { console.log('got ' + b); setInterval(() => {}, 1e9); });
}).on('error', (e) => (n > 0 ? setTimeout(() => go(n - 1), 200) : (console.log('failed ' + e.message), process.exit(1))));
go(50);
`;

const tcp = 'health_check: { type: tcp, interval: 100ms }';

function stackYaml(ports: { p: number; ploop: number; c: number }): string {
  const remoteServer = (name: string, host: string, listen: string, port: number) => `
  - name: ${name}
    target: { type: RemoteLan, host: "\${${host}}", user: root, binary: node, args: [-e, "${server(name, listen, port)}"], ports: [${port}] }
    ${tcp}`;
  const localClient = (name: string, dep: string) => `
  - name: ${name}
    target: { type: Process, binary: node, args: [-e, ${JSON.stringify(CLIENT)}], env: { DEP: ${dep.toUpperCase()} } }
    dependencies: [${dep}]`;
  const remoteClient = (name: string, host: string, dep: string) => `
  - name: ${name}
    target: { type: RemoteLan, host: "\${${host}}", user: root, binary: node, args: [-e, ${JSON.stringify(CLIENT)}], env: { DEP: ${dep.toUpperCase()} } }
    dependencies: [${dep}]`;
  return `
name: matrix
services:
  - name: p
    target: { type: Process, binary: node, args: [-e, "${server('p', '0.0.0.0', ports.p)}"], ports: [${ports.p}] }
    ${tcp}
  - name: ploop
    target: { type: Process, binary: node, args: [-e, "${server('ploop', '127.0.0.1', ports.ploop)}"], ports: [${ports.ploop}] }
    ${tcp}
  - name: c
    target: { type: Docker, image: ${BUSYBOX_IMAGE}, command: [httpd, -f, -p, "80", -h, /www], ports: ["127.0.0.1:${ports.c}:80"] }
    health_check: { type: tcp, port: 80, interval: 100ms }
${remoteServer('a', 'HOST0', '0.0.0.0', 18080)}
${remoteServer('aloop', 'HOST0', '127.0.0.1', 18081)}
${remoteServer('b', 'HOST1', '0.0.0.0', 18080)}
${remoteServer('bloop', 'HOST1', '127.0.0.1', 18081)}
${localClient('p-to-a', 'a')}
${localClient('p-to-aloop', 'aloop')}
  - name: c-to-a
    target: { type: Docker, image: ${BUSYBOX_IMAGE}, command: [sh, -c, 'echo "using $A_ADDR:$A_PORT"; for i in 1 2 3 4 5 6 7 8 9 10; do if out=$(wget -qO- "http://$A_ADDR:$A_PORT/"); then echo "got $out"; exec sleep 100000; fi; sleep 0.3; done; echo failed; exit 1'] }
    dependencies: [a]
  - name: c-to-aloop
    target: { type: Docker, image: ${BUSYBOX_IMAGE}, command: [sh, -c, 'echo "using $ALOOP_ADDR:$ALOOP_PORT"; exec sleep 100000'] }
    dependencies: [aloop]
${remoteClient('a-to-p', 'HOST0', 'p')}
${remoteClient('a-to-ploop', 'HOST0', 'ploop')}
${remoteClient('a-to-c', 'HOST0', 'c')}
${remoteClient('a-to-aloop', 'HOST0', 'aloop')}
${remoteClient('a-to-b', 'HOST0', 'b')}
${remoteClient('a-to-bloop', 'HOST0', 'bloop')}
${remoteClient('b-to-a', 'HOST1', 'a')}
`;
}

describe.skipIf(skip !== null)(`addresses across hosts, by real connections${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let set: TestHostSet;
  let stack: RemoteStack;

  beforeAll(async () => {
    await ensureTestImages();
    set = await createTestHosts({ hosts: 2 });
    stack = await remoteStack(set, stackYaml({ p: await freePort(), ploop: await freePort(), c: await freePort() }));
  }, 120_000);

  afterAll(async () => {
    await stack?.dispose();
    await set?.destroy();
  }, 120_000);

  const cells: Array<[string, string, RegExp?]> = [
    ['p-to-a', 'I am a'],
    ['p-to-aloop', 'I am aloop', /^using 127\.0\.0\.1:\d+$/],
    ['c-to-a', 'I am a'],
    ['a-to-p', 'I am p'],
    ['a-to-ploop', 'I am ploop', /^using 127\.0\.0\.1:\d+$/],
    ['a-to-c', 'hello from harness-test', /^using 127\.0\.0\.1:\d+$/],
    ['a-to-aloop', 'I am aloop', /^using 127\.0\.0\.1:18081$/],
    ['a-to-b', 'I am b'],
    ['a-to-bloop', 'I am bloop', /^using 127\.0\.0\.1:\d+$/],
    ['b-to-a', 'I am a'],
  ];

  it('starts the whole matrix', async () => {
    const report = await stack.runtime.manager.start();
    expect(report.failed).toEqual([]);
  }, 120_000);

  it.each(cells)('%s connects with its injected address and gets "%s"', async (name, body, using) => {
    await stack.waitFor(`${name}'s answer`, () => stack.lines(name, 'stdout').some((l) => l.startsWith('got ') || l.startsWith('failed ')), 30_000);
    const out = stack.lines(name, 'stdout');
    expect(out.find((l) => l.startsWith('got ') || l.startsWith('failed '))).toBe(`got ${body}`);
    if (using) expect(out[0]).toMatch(using);
  }, 60_000);

  it('injects the direct addresses: this machine on its route to the host, the hosts by their address', () => {
    const [a, b] = set.hosts;
    expect(stack.lines('a-to-p', 'stdout')[0]).toBe(`using ${set.localAddress}:${stack.config.services.find((s) => s.name === 'p')!.target.ports[0]}`);
    expect(stack.lines('p-to-a', 'stdout')[0]).toBe(`using ${a.address}:18080`);
    expect(stack.lines('c-to-a', 'stdout')[0]).toBe(`using ${a.address}:18080`);
    expect(stack.lines('a-to-b', 'stdout')[0]).toBe(`using ${b.address}:18080`);
  });

  it('shows every edge with the reason for its address, tunnels marked, and the hosts with how they see this machine', () => {
    const topo = stack.runtime.network.topology();
    const edge = (from: string) => topo.edges.find((e) => e.from === from)!;
    expect(edge('p-to-aloop').tunnel).toMatchObject({ kind: 'local-forward', state: 'active', target: { host: '127.0.0.1', port: 18081 } });
    expect(edge('a-to-ploop').tunnel).toMatchObject({ kind: 'remote-forward', state: 'active', reason: expect.stringContaining('only on 127.0.0.1') });
    expect(edge('a-to-c').tunnel).toMatchObject({ kind: 'remote-forward', reason: expect.stringContaining('published on 127.0.0.1') });
    expect(edge('a-to-bloop').tunnel).toMatchObject({ kind: 'remote-forward' });
    expect(edge('a-to-bloop').note).toMatch(/relayed through this machine/);
    expect(edge('a-to-p').tunnel).toBeUndefined();
    expect(edge('a-to-p').note).toMatch(/this machine's address on its route to root@/);
    expect(edge('a-to-aloop').note).toMatch(/loopback/);
    for (const e of topo.edges.filter((x) => x.from !== 'c-to-aloop')) expect(e.warning, `${e.from} -> ${e.to}`).toBeUndefined();
    // A container cannot use a tunnel that listens on this machine's loopback: said, not hidden.
    expect(edge('c-to-aloop').warning).toMatch(/aloop listens on port 18081 only on 127\.0\.0\.1 on root@[\d.]+:22, which c-to-aloop in its container cannot reach/);
    expect(stack.lines('c-to-aloop', 'system').some((l) => l.includes('which c-to-aloop in its container cannot reach'))).toBe(true);
    const hosts = topo.hosts ?? [];
    expect(hosts.map((h) => h.host).sort()).toEqual(set.hosts.map((h) => h.address).sort());
    for (const h of hosts) {
      expect(h).toMatchObject({ connection: 'connected', seesThisMachineAs: set.localAddress, routeSource: set.localAddress });
      expect(h.addresses).toContain(h.host);
    }
    // The loopback-only process here is said to need the tunnel, in the dependent's log.
    expect(stack.lines('a-to-ploop', 'system').some((l) => /ploop listens on port \d+ only on 127\.0\.0\.1: a-to-ploop reaches it through an SSH tunnel/.test(l))).toBe(true);
  });
});
