import { request } from 'node:http';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ApiClient } from '../../shared/api-client.js';
import { HarnessError } from '../../shared/errors.js';
import { MAX_MESSAGE_BYTES } from '../../shared/wire.js';
import { startHarnessServer, type HarnessServer } from './harness-server.js';
import { createFakeCore, type FakeCore } from './test-support/fake-core.js';
import { connectWebSocket } from './ws-connection.js';

let server: HarnessServer;
let core: FakeCore;
let staticDir: string;

beforeAll(async () => {
  staticDir = await mkdtemp(join(tmpdir(), 'harness-static-'));
  await writeFile(join(staticDir, 'index.html'), '<!doctype html><title>Harness</title>');
  await writeFile(join(staticDir, 'app.js'), 'console.log(1)');
  core = createFakeCore();
  server = await startHarnessServer({ dispatcher: core.dispatcher, staticDir });
});

afterAll(async () => {
  await server?.close();
  await rm(staticDir, { recursive: true, force: true });
});

interface Handshake {
  host?: string;
  origin?: string | null;
  token?: string | null;
  path?: string;
}

/** A raw upgrade request, so Host and Origin can be forged freely. Resolves with the HTTP status. */
function handshake(h: Handshake): Promise<number> {
  const token = h.token === undefined ? server.token : h.token;
  const path = `${h.path ?? '/ws'}${token === null ? '' : `?token=${encodeURIComponent(token)}`}`;
  const host = h.host ?? `127.0.0.1:${server.port}`;
  const headers: Record<string, string> = {
    Host: host,
    Connection: 'Upgrade',
    Upgrade: 'websocket',
    'Sec-WebSocket-Version': '13',
    'Sec-WebSocket-Key': Buffer.from('0123456789abcdef').toString('base64'),
  };
  if (h.origin !== null) headers.Origin = h.origin ?? `http://${host}`;
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, headers, timeout: 5000 });
    req.on('upgrade', (_res, socket) => {
      socket.destroy();
      resolve(101);
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(new Error('handshake timed out')));
    req.on('error', reject);
    req.end();
  });
}

function httpGet(path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, headers: { Host: `127.0.0.1:${server.port}`, ...headers }, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end();
  });
}

/** Sends one raw frame on an authenticated socket and waits for the next message or the close. */
async function rawExchange(frame: string): Promise<{ message?: unknown; closeCode?: number }> {
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`, { origin: `http://127.0.0.1:${server.port}` });
  try {
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const result = new Promise<{ message?: unknown; closeCode?: number }>((resolve) => {
      ws.once('message', (d) => resolve({ message: JSON.parse(String(d)) }));
      ws.once('close', (code) => resolve({ closeCode: code }));
    });
    ws.send(frame);
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no answer in 10 s')), 10_000));
    return await Promise.race([result, timeout]);
  } finally {
    ws.terminate();
  }
}

describe('harness serve: WebSocket handshake checks', () => {
  it('accepts the right token, exact Host and same Origin', async () => {
    expect(await handshake({})).toBe(101);
    expect(await handshake({ host: `localhost:${server.port}` })).toBe(101);
  });

  it('rejects a missing token', async () => {
    expect(await handshake({ token: null })).toBe(401);
  });

  it('rejects a wrong token, including one of the same length', async () => {
    expect(await handshake({ token: 'x' })).toBe(401);
    const flipped = (server.token[0] === 'A' ? 'B' : 'A') + server.token.slice(1);
    expect(await handshake({ token: flipped })).toBe(401);
  });

  it('rejects a foreign Origin and a missing Origin', async () => {
    expect(await handshake({ origin: 'http://evil.example' })).toBe(403);
    expect(await handshake({ origin: `http://127.0.0.1:${server.port + 1}` })).toBe(403);
    expect(await handshake({ origin: 'null' })).toBe(403);
    expect(await handshake({ origin: null })).toBe(403);
  });

  it('rejects DNS-rebinding Hosts (evil.example:PORT, 127.attacker.example, wrong port)', async () => {
    expect(await handshake({ host: `evil.example:${server.port}` })).toBe(403);
    expect(await handshake({ host: `127.attacker.example:${server.port}` })).toBe(403);
    expect(await handshake({ host: '127.attacker.example' })).toBe(403);
    expect(await handshake({ host: '127.0.0.1' })).toBe(403);
    expect(await handshake({ host: `127.0.0.1:${server.port + 1}` })).toBe(403);
  });

  it('rejects upgrades on other paths', async () => {
    expect(await handshake({ path: '/other' })).toBe(400);
  });
});

describe('harness serve: HTTP', () => {
  it('serves the renderer with security headers and no CORS wildcard', async () => {
    const res = await httpGet('/');
    expect(res.status).toBe(200);
    expect(res.body).toContain('<title>Harness</title>');
    expect(String(res.headers['content-security-policy'])).toContain("frame-ancestors 'none'");
    expect(String(res.headers['content-security-policy'])).toContain("script-src 'self'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('refuses a rebinding Host on plain HTTP too', async () => {
    const res = await httpGet('/', { Host: `evil.example:${server.port}` });
    expect(res.status).toBe(403);
  });

  it('does not serve files outside the renderer directory', async () => {
    const res = await httpGet('/..%2f..%2f..%2fetc%2fpasswd');
    expect(res.body).not.toContain('root:');
    const res2 = await httpGet('/missing.js');
    expect(res2.status).toBe(404);
  });

  it('requires the token on the HTTP API', async () => {
    expect((await httpGet('/api/info')).status).toBe(401);
    expect((await httpGet('/api/info', { Authorization: 'Bearer nope' })).status).toBe(401);
    const ok = await httpGet('/api/info', { Authorization: `Bearer ${server.token}` });
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body)).toMatchObject({ ok: true, value: { version: 'test' } });
  });
});

describe('harness serve: payload validation over the socket', () => {
  it('answers a forged payload (extra key) with BAD_REQUEST', async () => {
    const r = await rawExchange(JSON.stringify({ t: 'req', id: 7, method: 'services.start', params: { services: ['a'], evil: true } }));
    expect(r.message).toMatchObject({ t: 'res', id: 7, result: { ok: false, error: { code: 'BAD_REQUEST' } } });
    expect(JSON.stringify(r.message)).toContain('unexpected key');
  });

  it('answers a wrongly typed payload and a malformed frame with BAD_REQUEST', async () => {
    const typed = await rawExchange(JSON.stringify({ t: 'req', id: 8, method: 'services.restart', params: { services: 'all' } }));
    expect(typed.message).toMatchObject({ id: 8, result: { ok: false, error: { code: 'BAD_REQUEST' } } });
    const bad = await rawExchange('{not json');
    expect(bad.message).toMatchObject({ id: -1, result: { ok: false, error: { code: 'BAD_REQUEST' } } });
    const notReq = await rawExchange(JSON.stringify({ t: 'evt', event: 'status', payload: {} }));
    expect(notReq.message).toMatchObject({ result: { ok: false, error: { code: 'BAD_REQUEST' } } });
  });

  it('answers an unknown method with UNKNOWN_METHOD, and a prototype-polluting name too', async () => {
    const r = await rawExchange(JSON.stringify({ t: 'req', id: 9, method: '__proto__', params: {} }));
    expect(r.message).toMatchObject({ id: 9, result: { ok: false, error: { code: 'UNKNOWN_METHOD' } } });
  });

  it('rejects an oversized message with BAD_REQUEST, and closes on a frame beyond the hard limit', async () => {
    const big = JSON.stringify({ t: 'req', id: 10, method: 'project.open', params: { path: 'x'.repeat(MAX_MESSAGE_BYTES + 10) } });
    const r = await rawExchange(big);
    expect(r.message).toMatchObject({ result: { ok: false, error: { code: 'BAD_REQUEST', message: 'message too large' } } });
    const huge = await rawExchange('x'.repeat(5 * MAX_MESSAGE_BYTES));
    expect(huge.closeCode).toBe(1009);
    expect(core.calls.some((c) => c.method === 'project.open')).toBe(false);
  });
});

describe('harness serve: the API through the WebSocket', () => {
  it('carries calls, typed errors and events', async () => {
    const conn = await connectWebSocket(server.url);
    try {
      const client = new ApiClient(conn);
      expect(await client.invoke('services.start', { services: ['api'] })).toEqual({ started: ['api'] });
      await expect(client.invoke('project.open', { path: '/nope' })).rejects.toSatisfy(
        (e: unknown) => e instanceof HarnessError && e.code === 'NOT_FOUND',
      );
      const got = new Promise((resolve) => client.on('status', resolve));
      core.emit('status', { seq: 1, state: { name: 'api', type: 'Process', status: 'running', restarts: 0, updatedAt: 1 } });
      expect(await got).toMatchObject({ seq: 1, state: { name: 'api', status: 'running' } });
    } finally {
      await conn.dispose();
    }
  });

  it('delivers log batches and releases the session when the peer disconnects', async () => {
    const conn = await connectWebSocket(server.url);
    const client = new ApiClient(conn);
    const lines: string[] = [];
    client.on('logs', (b) => lines.push(...b.lines.map((l) => l.line)));
    for (let i = 0; i < 100; i++) core.emit('logs', { lines: [{ service: 'api', stream: 'stdout', ts: i, line: `line ${i}`, n: i + 1 }] });
    const deadline = Date.now() + 10_000;
    while (lines.length < 100 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(lines).toEqual(Array.from({ length: 100 }, (_, i) => `line ${i}`));
    expect(server.peerCount()).toBeGreaterThan(0);
    await conn.dispose();
    const until = Date.now() + 5000;
    while (server.peerCount() > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    expect(server.peerCount()).toBe(0);
  });
});

describe('harness serve: loopback only', () => {
  it('listens on 127.0.0.1', () => {
    const addr = server.server.address();
    expect(addr).toMatchObject({ address: '127.0.0.1', port: server.port });
  });

  const external = Object.values(networkInterfaces())
    .flat()
    .find((i) => i && !i.internal && i.family === 'IPv4')?.address;

  it.skipIf(!external)(`is not reachable on a non-loopback interface address${external ? '' : ' (skipped: this machine has no non-loopback IPv4 interface)'}`, async () => {
    const outcome = await new Promise<string>((resolve) => {
      const sock = connect({ host: external!, port: server.port, timeout: 3000 });
      sock.once('connect', () => {
        sock.destroy();
        resolve('connected');
      });
      sock.once('timeout', () => {
        sock.destroy();
        resolve('timeout');
      });
      sock.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
    });
    expect(outcome).not.toBe('connected');
  });
});
