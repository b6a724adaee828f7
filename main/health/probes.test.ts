import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeWorld, stillAlive, waitUntil, type World } from '../executors/process/test-support/fixtures.js';
import { probeCommand, probeHttp, probeTcp } from './probes.js';

let world: World;
const servers: Array<Server | HttpServer> = [];
beforeEach(async () => {
  world = await makeWorld();
});
afterEach(async () => {
  for (const s of servers.splice(0)) {
    (s as HttpServer).closeAllConnections?.();
    await new Promise((r) => s.close(() => r(null)));
  }
  await world.dispose();
});

async function listen<T extends Server | HttpServer>(server: T): Promise<number> {
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return (server.address() as AddressInfo).port;
}

/** A port that was just free: listen on an ephemeral port, then close it. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

describe('probeTcp', () => {
  it('succeeds on an open port and fails with the reason on a closed one', async () => {
    const port = await listen(createServer((sock) => sock.destroy()));
    const open = await probeTcp('127.0.0.1', port, 2000);
    expect(open).toMatchObject({ ok: true, message: `tcp 127.0.0.1:${port}: connected` });
    expect(Math.abs(open.at - Date.now())).toBeLessThan(5000);
    const closed = await probeTcp('127.0.0.1', await closedPort(), 2000);
    expect(closed.ok).toBe(false);
    expect(closed.message).toContain('ECONNREFUSED');
  });

  it('returns at once when the signal is already aborted', async () => {
    const ac = new AbortController();
    ac.abort();
    expect(await probeTcp('127.0.0.1', 1, 5000, ac.signal)).toMatchObject({ ok: false, message: 'probe cancelled' });
  });
});

describe('probeHttp', () => {
  function server(handler: Parameters<typeof createHttpServer>[1]): Promise<number> {
    return listen(createHttpServer(handler));
  }

  it('accepts 200 and, with expect 0, any 2xx/3xx; rejects 500 naming the status', async () => {
    const port = await server((req, res) => {
      const code = Number(req.url!.slice(1));
      res.writeHead(code, code === 302 ? { location: '/200' } : {});
      res.end('body');
    });
    const base = `http://127.0.0.1:${port}`;
    expect(await probeHttp(`${base}/200`, 200, 2000)).toMatchObject({ ok: true, message: `http ${base}/200: status 200` });
    expect((await probeHttp(`${base}/302`, 0, 2000)).ok).toBe(true);
    const bad = await probeHttp(`${base}/500`, 0, 2000);
    expect(bad).toMatchObject({ ok: false, message: `http ${base}/500: status 500 (expected 2xx/3xx)` });
    expect((await probeHttp(`${base}/204`, 200, 2000)).message).toContain('(expected 200)');
  });

  it('times out on a server that never answers', async () => {
    const port = await server(() => {
      // never respond
    });
    const t0 = Date.now();
    const r = await probeHttp(`http://127.0.0.1:${port}/`, 200, 300);
    expect(r).toMatchObject({ ok: false, message: `http http://127.0.0.1:${port}/: no response within 300 ms` });
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('does not read an endless body beyond 64 KiB', async () => {
    const port = await server((_req, res) => {
      res.writeHead(200);
      const chunk = Buffer.alloc(16 * 1024, 120);
      const pump = (): void => {
        while (res.write(chunk)) {
          // keep writing until the socket pushes back
        }
        res.once('drain', pump);
      };
      res.on('close', () => res.removeAllListeners('drain'));
      pump();
    });
    expect(await probeHttp(`http://127.0.0.1:${port}/`, 200, 5000)).toMatchObject({ ok: true });
  });

  it('reports a refused connection and an invalid URL without throwing', async () => {
    expect((await probeHttp(`http://127.0.0.1:${await closedPort()}/`, 200, 2000)).message).toContain('ECONNREFUSED');
    expect(await probeHttp('not a url', 200, 2000)).toMatchObject({ ok: false, message: 'http not a url: invalid URL' });
  });
});

describe('probeCommand', () => {
  it('succeeds on exit 0 and fails with the exit code and the last output line', async () => {
    const ok = await probeCommand(['sh', '-c', 'echo first; echo "it is $GREETING in $(pwd)"'], {
      cwd: world.dir,
      env: { PATH: process.env.PATH, GREETING: 'fine' },
      timeoutMs: 5000,
    });
    expect(ok.ok).toBe(true);
    expect(ok.message).toMatch(/exit code 0: it is fine in \//);
    const bad = await probeCommand(['sh', '-c', 'echo starting; echo "db not ready" >&2; exit 3'], { timeoutMs: 5000 });
    expect(bad).toMatchObject({ ok: false });
    expect(bad.message).toBe(`command sh -c echo starting; echo "db not ready" >&2; exit 3: exit code 3: db not ready`);
  });

  it('kills the whole process tree on timeout', async () => {
    const pidFile = join(world.dir, 'pids');
    const t0 = Date.now();
    const r = await probeCommand(['sh', '-c', `sleep 1011 & echo $$ $! > ${pidFile}; sleep 1012`], { timeoutMs: 400 });
    expect(r).toMatchObject({ ok: false });
    expect(r.message).toContain('timed out after 400 ms');
    expect(Date.now() - t0).toBeLessThan(5000);
    const pids = (await readFile(pidFile, 'utf8')).trim().split(' ').map(Number);
    world.track(...pids);
    expect(pids).toHaveLength(2);
    await waitUntil(() => stillAlive(pids).length === 0, 3000, `probe processes ${pids.join(', ')} to die`);
  });

  it('leaves nothing behind when the command exits but its child lingers', async () => {
    const pidFile = join(world.dir, 'pid');
    const r = await probeCommand(['sh', '-c', `sleep 1013 & echo $! > ${pidFile}; exit 0`], { timeoutMs: 5000 });
    expect(r.ok).toBe(true);
    const pid = Number((await readFile(pidFile, 'utf8')).trim());
    world.track(pid);
    await waitUntil(() => stillAlive([pid]).length === 0, 3000, `lingering probe child ${pid} to die`);
  });

  it('fails clearly when the command does not exist', async () => {
    const r = await probeCommand(['/nonexistent/check'], { timeoutMs: 2000 });
    expect(r.ok).toBe(false);
    expect(r.message).toContain('ENOENT');
  });
});
