// Faults on a real sshd host: the link cut (veth down: packets dropped, nothing reset), found by
// keepalive within the documented bound and reconnected when the link returns; sshd killed and
// restarted. Operations issued while down wait and complete; tunnels come back.
import { spawn, type ChildProcess } from 'node:child_process';
import { connect as tcpConnect, createServer, type AddressInfo, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HarnessError } from '../../shared/errors.js';
import { createTestHosts, testHostsSkipReason, type TestHost, type TestHostSet } from '../test-support/test-hosts/test-hosts.js';
import type { HostState, HostStateEvent } from './ssh-host.js';
import { DEFAULT_KEEPALIVE, SshPool } from './ssh-pool.js';

const skip = await testHostsSkipReason();

// ssh2 gives up after countMax unanswered pings sent intervalMs apart, counted from the last data
// received: the documented bound for noticing a dead host.
const DETECTION_BOUND_MS = DEFAULT_KEEPALIVE.intervalMs * (DEFAULT_KEEPALIVE.countMax + 1);

let set: TestHostSet;
let h: TestHost;
const pools: SshPool[] = [];
const servers: Server[] = [];
const children: ChildProcess[] = [];

function nextState(events: HostStateEvent[], state: HostState, from: number, timeoutMs: number): Promise<HostStateEvent> {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + timeoutMs;
    const tick = () => {
      const e = events.slice(from).find((x) => x.state === state);
      if (e) { resolve(e); return; }
      if (Date.now() > deadline) { reject(new Error(`no '${state}' within ${timeoutMs} ms; saw ${events.slice(from).map((x) => x.state).join(', ')}`)); return; }
      setTimeout(tick, 50);
    };
    tick();
  });
}

function tcpExchange(port: number, payload: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = tcpConnect({ host: '127.0.0.1', port });
    let out = '';
    sock.on('data', (d) => { out += d.toString(); });
    sock.on('close', () => resolve(out));
    sock.on('error', reject);
    sock.write(payload);
  });
}

/** The remote service may still be starting: retry the exchange for a while. */
async function waitForExchange(port: number, payload: string, expected: string): Promise<void> {
  let last = '';
  for (let i = 0; i < 50; i++) {
    last = await tcpExchange(port, payload).catch((e: Error) => e.message);
    if (last === expected) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no '${expected}' through the forward; last: '${last}'`);
}

function echoServer(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer((sock) => sock.on('data', (d) => sock.end(`back:${d}`)));
    servers.push(s);
    s.listen(0, '127.0.0.1', () => resolve((s.address() as AddressInfo).port));
  });
}

describe.skipIf(skip !== null)(`SSH connections surviving faults on a real sshd test host${skip ? ` (skipped: ${skip})` : ''}`, () => {
  beforeAll(async () => {
    set = await createTestHosts({ hosts: 1 });
    h = set.hosts[0];
  }, 60_000);

  afterAll(async () => {
    await Promise.all(pools.map((p) => p.close()));
    for (const s of servers) s.close();
    for (const c of children) c.kill('SIGKILL');
    await h?.restoreLink().catch(() => undefined);
    await set?.destroy();
  }, 60_000);

  it(`notices a cut link within the keepalive bound (${DETECTION_BOUND_MS / 1000} s), reconnects when it returns, and completes the operations queued meanwhile`, async () => {
    const pool = new SshPool(set.poolOptions());
    pools.push(pool);
    const events: HostStateEvent[] = [];
    pool.onState((e) => events.push(e));
    const host = pool.host({ host: h.address, user: 'root' });
    const localPort = await echoServer();
    const tunnel = await host.forwardIn({ localHost: '127.0.0.1', localPort });
    const remotePort = tunnel.remotePort;
    expect(host.state).toBe('connected');

    const mark = events.length;
    const cutAt = Date.now();
    await h.cutLink();
    const lost = await nextState(events, 'lost', mark, DETECTION_BOUND_MS + 10_000);
    const detectedMs = lost.at - cutAt;
    console.log(`link cut -> state 'lost' after ${detectedMs} ms (bound ${DETECTION_BOUND_MS} ms): ${lost.reason}`);
    expect(lost.key).toBe(`root@${h.address}:22`);
    expect(lost.reason).toMatch(/keepalive/);
    expect(tunnel.state).toBe('down');

    // Issued while down: they wait for the connection instead of failing.
    const queued = Promise.all([1, 2, 3].map((i) => host.exec(['echo', `queued-${i}`])));
    await nextState(events, 'reconnecting', mark, 5000);
    expect(host.stats().queued).toBe(3);

    const restoredAt = Date.now();
    await h.restoreLink();
    const back = await nextState(events, 'connected', mark, 30_000);
    console.log(`link restored -> 'connected' after ${back.at - restoredAt} ms`);
    expect((await queued).map((r) => r.stdout)).toEqual(['queued-1\n', 'queued-2\n', 'queued-3\n']);
    expect(host.stats().losses).toBe(1);
    expect(events.slice(mark).map((e) => e.state)).toContain('reconnecting');

    // The remote forward is requested again on the new connection, on the same port.
    expect(tunnel.state).toBe('active');
    expect(tunnel.remotePort).toBe(remotePort);
    const r = await h.run(['bash', '-c', `exec 3<>/dev/tcp/127.0.0.1/${remotePort}; printf again >&3; timeout 5 cat <&3`]);
    expect(r.stdout).toBe('back:again');
  }, 90_000);

  it('reconnects after sshd is killed and restarted with the same host key; a local forward carries again', async () => {
    const pool = new SshPool(set.poolOptions({ reconnect: { initialDelayMs: 100, maxDelayMs: 1000 } }));
    pools.push(pool);
    const events: HostStateEvent[] = [];
    pool.onState((e) => events.push(e));
    const host = pool.host({ host: h.address, user: 'root' });
    await host.exec(['true']);
    // A loopback-only service on the host that is not a child of sshd, so it outlives it.
    const service = spawn('nsenter', ['-t', String(h.anchorPid), '-n', '-m', '--', process.execPath, '-e',
      "require('net').createServer((s) => s.on('data', (d) => s.end('svc:' + d))).listen(7008, '127.0.0.1')"], { stdio: 'ignore' });
    children.push(service);
    const fwd = await host.forwardOut({ remoteHost: '127.0.0.1', remotePort: 7008 });
    await waitForExchange(fwd.localPort, 'before', 'svc:before');
    const fingerprint = host.info!.hostKey.fingerprint;
    const connectedAt = host.info!.connectedAt;

    const mark = events.length;
    await h.stopSshd({ kill: true });
    const lost = await nextState(events, 'lost', mark, 10_000);
    expect(lost.reason).toBeTruthy();
    const retrying = await nextState(events, 'reconnecting', mark, 10_000);
    expect(retrying.attempt).toBeGreaterThanOrEqual(1);
    const during = host.exec(['echo', 'after restart']);
    // Refused connects while sshd is down are retried, with growing delays.
    await new Promise((r) => setTimeout(r, 1500));
    const delays = events.slice(mark).filter((e) => e.state === 'reconnecting').map((e) => e.retryInMs!);
    expect(delays.length).toBeGreaterThanOrEqual(2);
    expect(events.slice(mark).some((e) => e.state === 'reconnecting' && /connection refused/.test(e.reason ?? ''))).toBe(true);

    await h.startSshd();
    expect((await during).stdout).toBe('after restart\n');
    expect(host.state).toBe('connected');
    expect(host.info!.hostKey.fingerprint).toBe(fingerprint);
    expect(host.info!.connectedAt).toBeGreaterThan(connectedAt);
    // The same local listener carries new connections over the new SSH connection.
    expect(await tcpExchange(fwd.localPort, 'after')).toBe('svc:after');
    expect(fwd.carried).toBeGreaterThanOrEqual(2);
    await fwd.close();
  }, 60_000);

  it('fails an operation clearly when the host stays down longer than the connection wait', async () => {
    const pool = new SshPool(set.poolOptions({ connectWaitMs: 1500, reconnect: { initialDelayMs: 100, maxDelayMs: 500 } }));
    pools.push(pool);
    const host = pool.host({ host: h.address, user: 'root' });
    await host.exec(['true']);
    await h.stopSshd();
    try {
      const err = await host.exec(['true']).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(HarnessError);
      expect((err as HarnessError).code).toBe('UNAVAILABLE');
      expect((err as HarnessError).message).toContain(`root@${h.address}:22`);
      expect((err as HarnessError).message).toMatch(/not connected after waiting 1.5 s/);
      expect(['lost', 'reconnecting', 'connecting']).toContain(host.state);
    } finally {
      await h.startSshd();
    }
    expect((await host.exec(['echo', 'up'])).stdout).toBe('up\n');
  }, 60_000);

  it('a command in flight when the connection drops fails with the reason, not a hang', async () => {
    const pool = new SshPool(set.poolOptions({ reconnect: { initialDelayMs: 100, maxDelayMs: 500 } }));
    pools.push(pool);
    const host = pool.host({ host: h.address, user: 'root' });
    await host.exec(['true']);
    const running = host.exec(['sleep', '30']).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 300));
    await h.stopSshd({ kill: true });
    const err = await running;
    expect(err).toBeInstanceOf(HarnessError);
    expect((err as HarnessError).code).toBe('UNAVAILABLE');
    expect((err as HarnessError).message).toMatch(/connection lost while running/);
    await h.startSshd();
    expect((await host.exec(['echo', 'fine'])).stdout).toBe('fine\n');
  }, 60_000);
});
