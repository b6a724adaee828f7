// Operations over the shared connections to a real sshd host: a burst of 50 execs within sshd's
// limits, hostile arguments arriving byte-identical, streams, cancellation, SFTP and tunnels.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, connect as tcpConnect, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HarnessError } from '../../shared/errors.js';
import { createTestHosts, testHostsSkipReason, type TestHost, type TestHostSet } from '../test-support/test-hosts/test-hosts.js';
import { commandLine } from './shell-quote.js';
import type { SshHost } from './ssh-host.js';
import { SshPool } from './ssh-pool.js';

const skip = await testHostsSkipReason();

let set: TestHostSet;
let h: TestHost;
let pool: SshPool;
let host: SshHost;
let scratch = '';
const servers: Server[] = [];

async function waitFor(what: string, cond: () => Promise<boolean> | boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; i < 1000; i++) {
    if (await cond()) return;
    if (Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function echoServer(prefix: string): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer((sock) => sock.on('data', (d) => sock.end(`${prefix}${d.toString()}`)));
    servers.push(s);
    s.listen(0, '127.0.0.1', () => resolve((s.address() as AddressInfo).port));
  });
}

function tcpExchange(port: number, payload: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = tcpConnect({ host: '127.0.0.1', port });
    let out = '';
    sock.on('data', (d) => { out += d.toString(); });
    sock.on('end', () => resolve(out));
    sock.on('error', reject);
    sock.write(payload);
  });
}

describe.skipIf(skip !== null)(`SSH operations on a real sshd test host${skip ? ` (skipped: ${skip})` : ''}`, () => {
  beforeAll(async () => {
    set = await createTestHosts({ hosts: 1 });
    h = set.hosts[0];
    pool = new SshPool(set.poolOptions());
    host = pool.host({ host: h.address, user: 'root' });
    scratch = await mkdtemp(join(tmpdir(), 'hx-ssh-ops-'));
    await host.connect();
  }, 60_000);

  afterAll(async () => {
    await pool?.close();
    for (const s of servers) s.close();
    await set?.destroy();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  }, 60_000);

  it('runs 50 commands at once on one host: all succeed, none refused, within 3 TCP connections', async () => {
    const before = await h.countLog(/^Connection from /);
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) =>
      host.exec(['sh', '-c', 'sleep 0.3; echo "$1"', 'sh', String(i)])));
    expect(results.map((r) => r.stdout)).toEqual(Array.from({ length: 50 }, (_, i) => `${i}\n`));
    expect(results.every((r) => r.code === 0)).toBe(true);
    const stats = host.stats();
    expect(stats.peakConnections).toBeGreaterThan(1);
    expect(stats.peakConnections).toBeLessThanOrEqual(3);
    expect(stats.peakChannels).toBeLessThanOrEqual(3 * 8);
    // sshd's side: the new TCP connections it accepted for this burst, and no refused session.
    const opened = (await h.countLog(/^Connection from /)) - before;
    expect(opened).toBeGreaterThanOrEqual(1);
    expect(opened).toBeLessThanOrEqual(2);
    expect(await h.countLog(/no more sessions/)).toBe(0);
    expect(stats.queued).toBe(0);
  }, 60_000);

  it('reports the exit status of commands that end at once, in a burst', async () => {
    const codes = await Promise.all(Array.from({ length: 100 }, (_, i) => host.exec(['sh', '-c', `exit ${i % 7}`]).then((r) => r.code)));
    expect(codes).toEqual(Array.from({ length: 100 }, (_, i) => i % 7));
    const streamed = await Promise.all(Array.from({ length: 20 }, async (_, i) => {
      const p = await host.spawn(['sh', '-c', `exit ${i % 5}`]);
      p.stdout.resume();
      p.stderr.resume();
      return (await p.exited).code;
    }));
    expect(streamed).toEqual(Array.from({ length: 20 }, (_, i) => i % 5));
  }, 60_000);

  it('hands hostile arguments to the remote program byte-identical, running nothing', async () => {
    const canary = '/tmp/hx-pwned';
    const fixed = [
      "it's", '"q"', '\\', '$HOME', '${HOME}', `$(touch ${canary})`, `\`touch ${canary}\``, `; touch ${canary}`,
      `'; touch ${canary}; '`, 'a\nb', '\r\t', '-n', '--', '-e', 'é 日本 🦀', '*', '~', '#x', '!', 'A=b', 'if', '',
    ];
    const random = fc.sample(fc.string({ unit: 'binary', maxLength: 30 }).map((s) => s.replace(/\0/g, '')), { numRuns: 300, seed: 42 });
    for (const args of [fixed, random.slice(0, 150), random.slice(150)]) {
      const r = await host.exec(['printf', '%s\\0', ...args]);
      expect(r.code).toBe(0);
      const got = r.stdout.split('\0');
      got.pop();
      expect(got).toEqual(args);
    }
    expect(await h.exists(canary)).toBe(false);
    expect(existsSync(canary)).toBe(false);
  });

  it('runs in a hostile working directory through commandLine', async () => {
    const dir = `/tmp/d'ir $(touch /tmp/hx-pwned2) ;x`;
    await host.exec(['mkdir', '-p', '--', dir]);
    const r = await host.execLine(commandLine(['pwd'], { cwd: dir, exec: true }));
    expect(r.stdout).toBe(`${dir}\n`);
    expect(await h.exists('/tmp/hx-pwned2')).toBe(false);
  });

  it('feeds stdin and reports a command ended by a signal', async () => {
    const r = await host.exec(['sh', '-c', 'cat; kill -TERM $$'], { stdin: 'from stdin' });
    expect(r.stdout).toBe('from stdin');
    expect(r).toMatchObject({ code: null, signal: 'SIGTERM' });
  });

  it('times out a command and ends it on the host', async () => {
    const marker = `sleep 31.${Date.now() % 1000}`;
    const err = await host.exec(['sh', '-c', `exec ${marker}`], { timeoutMs: 500 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HarnessError);
    expect((err as HarnessError).code).toBe('TIMEOUT');
    await waitFor('the remote command to end', async () => (await h.run(['pgrep', '-f', marker])).exitCode !== 0);
    const ac = new AbortController();
    const p = host.exec(['sleep', '30'], { signal: ac.signal });
    setTimeout(() => ac.abort(), 200);
    expect(await p.catch((e: HarnessError) => e.code)).toBe('CANCELLED');
  });

  it('streams a long-lived command with stdout and stderr apart, and stops it', async () => {
    const proc = await host.spawn(['sh', '-c', 'echo one; echo two >&2; echo three; exec sleep 60']);
    let out = '';
    let err = '';
    proc.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    proc.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    await waitFor('both streams', () => out === 'one\nthree\n' && err === 'two\n');
    expect(host.stats().streams).toBe(1);
    proc.close();
    await proc.exited;
    await waitFor('the stream slot to be free', () => host.stats().streams === 0);
    const done = await host.spawn(['sh', '-c', 'exit 7']);
    done.stdout.resume();
    expect(await done.exited).toEqual({ code: 7, signal: null });
  });

  it('writes an env file 0600 into a 0700 directory over SFTP, on the host and not here', async () => {
    const dir = `.local/state/harness-test-${set.run}/svc`;
    await host.files.mkdirp(dir, { mode: 0o700 });
    await host.files.writeFile(`${dir}/env`, 'A=1\nB=two words\n');
    expect(await h.mode(`/root/${dir}`)).toBe('700');
    expect(await h.mode(`/root/${dir}/env`)).toBe('600');
    expect((await h.readFile(`/root/${dir}/env`)).toString()).toBe('A=1\nB=two words\n');
    expect(existsSync(`/root/${dir}`)).toBe(false);
    // Rewriting replaces atomically and keeps the mode, even over a file that was more open.
    await h.run(['chmod', '644', `/root/${dir}/env`]);
    await host.files.writeFile(`${dir}/env`, 'A=2\n');
    expect(await h.mode(`/root/${dir}/env`)).toBe('600');
    expect((await host.files.readFile(`${dir}/env`)).toString()).toBe('A=2\n');
    expect((await h.run(['ls', '-A', `/root/${dir}`])).stdout).toBe('env\n');
    const st = await host.files.stat(`${dir}/env`);
    expect(st).toMatchObject({ isFile: true, mode: 0o600, size: 4 });
    expect(await host.files.stat(`${dir}/missing`)).toBeNull();
    await host.files.rename(`${dir}/env`, `${dir}/env.old`);
    expect(await h.exists(`/root/${dir}/env.old`)).toBe(true);
    expect(await host.files.realpath('.')).toBe('/root');
  });

  it('uploads a few MB with parallel requests and progress; the host holds the same sha256', async () => {
    const local = join(scratch, 'blob');
    const data = randomBytes(5 * 1024 * 1024 + 123);
    await writeFile(local, data);
    const seen: number[] = [];
    await host.files.mkdirp('/opt/hx-upload', { mode: 0o755 });
    await host.files.fastPut(local, '/opt/hx-upload/blob', { mode: 0o644, onProgress: (p) => { seen.push(p.transferred); expect(p.total).toBe(data.length); } });
    expect(seen[0]).toBe(0);
    expect(seen.at(-1)).toBe(data.length);
    expect(seen.every((v, i) => i === 0 || v >= seen[i - 1])).toBe(true);
    expect(seen.length).toBeGreaterThan(10);
    expect(await h.sha256('/opt/hx-upload/blob')).toBe(createHash('sha256').update(data).digest('hex'));
    expect(await h.mode('/opt/hx-upload/blob')).toBe('644');
    expect(existsSync('/opt/hx-upload')).toBe(false);
    // A cancelled upload leaves nothing behind and the shared SFTP session keeps working.
    const ac = new AbortController();
    const cancelled = host.files.fastPut(local, '/opt/hx-upload/cancelled', { signal: ac.signal, onProgress: (p) => { if (p.transferred > 1_000_000) ac.abort(); } });
    expect(await cancelled.catch((e: HarnessError) => e.code)).toBe('CANCELLED');
    expect((await h.run(['ls', '-A', '/opt/hx-upload'])).stdout).toBe('blob\n');
    expect(await host.files.stat('/opt/hx-upload/blob')).toMatchObject({ size: data.length });
  }, 60_000);

  it('remote forward: a client on the host reaches a service here through 127.0.0.1 on its own host', async () => {
    const localPort = await echoServer('here:');
    const tunnel = await host.forwardIn({ localHost: '127.0.0.1', localPort });
    expect(tunnel.state).toBe('active');
    expect(tunnel.remotePort).toBeGreaterThan(0);
    // Nothing listens on that port here, only on the host.
    const r = await h.run(['bash', '-c', `exec 3<>/dev/tcp/127.0.0.1/${tunnel.remotePort}; printf ping >&3; timeout 5 cat <&3`]);
    expect(r.stdout).toBe('here:ping');
    expect(tunnel.carried).toBe(1);
    await tunnel.close();
    const after = await h.run(['bash', '-c', `exec 3<>/dev/tcp/127.0.0.1/${tunnel.remotePort}`]);
    expect(after.exitCode).not.toBe(0);
  });

  it('local forward: a client here reaches a loopback-only service on the host', async () => {
    const script = "require('net').createServer((s) => s.on('data', (d) => s.end('there:' + d))).listen(7007, '127.0.0.1', () => console.log('up'))";
    const server = await host.spawn([process.execPath, '-e', script]);
    let up = '';
    server.stdout.on('data', (d: Buffer) => { up += d.toString(); });
    await waitFor('the remote server', () => up.includes('up'));
    const fwd = await host.forwardOut({ remoteHost: '127.0.0.1', remotePort: 7007 });
    expect(await tcpExchange(fwd.localPort, 'ping')).toBe('there:ping');
    expect(await tcpExchange(fwd.localPort, 'again')).toBe('there:again');
    expect(fwd.carried).toBe(2);
    server.close();
    await server.exited;
    await fwd.close();
  });
});
