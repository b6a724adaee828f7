// `harness serve --open` must not leak its token: /proc/PID/cmdline is readable by every local
// user, and a URL with `?token=` on the command line of xdg-open or the browser handed the whole
// API (and a shell, through a Process service) to anyone on the machine. A fake xdg-open on PATH
// records its argv and what it can read, then lives on as the "browser".
import { chmodSync, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../../shared/api-client.js';
import { connectWebSocket } from '../server/ws-connection.js';
import { ensureBuilt, makeProject, waitUntil, type Project, type RunningCli } from './test-support/cli-harness.js';

const FAKE_OPENER = `#!${process.execPath}
// Stand-in for xdg-open: records its arguments and the page at the file URL it got, then stays
// alive like a browser would, with that same argument on its command line.
const fs = require('fs');
const { fileURLToPath } = require('url');
const arg = process.argv[2] ?? '';
let page = null;
try { page = fs.readFileSync(fileURLToPath(arg), 'utf8'); } catch (e) { page = 'unreadable: ' + e.message; }
fs.writeFileSync(process.env.FAKE_OPEN_RECORD, JSON.stringify({ argv: process.argv.slice(2), page, pid: process.pid }));
setTimeout(() => {}, 60000);
`;

interface Record {
  argv: string[];
  page: string;
  pid: number;
}

/** Every process whose command line this user can read and that holds `secret`. */
function cmdlinesHolding(secret: string): string[] {
  const hits: string[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmd.includes(secret)) hits.push(`${pid}: ${cmd.replace(/\0/g, ' ')}`);
    } catch {
      // gone, or not ours to read
    }
  }
  return hits;
}

function postCode(port: number, code: string): Promise<number> {
  const host = `127.0.0.1:${port}`;
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/api/session', method: 'POST', headers: { Host: host, Origin: `http://${host}`, 'Content-Type': 'application/json' }, timeout: 5000 },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify({ code }));
  });
}

describe('harness serve --open', () => {
  let p: Project;
  let serve: RunningCli;
  let record: Record;
  let recordFile: string;
  let launchPath: string;

  beforeAll(async () => {
    ensureBuilt();
    p = await makeProject('services: []\n');
    const bin = join(p.dir, 'fake-bin');
    await mkdir(bin);
    await writeFile(join(bin, 'xdg-open'), FAKE_OPENER);
    chmodSync(join(bin, 'xdg-open'), 0o755);
    recordFile = join(p.dir, 'opened.json');
    Object.assign(p.env, { PATH: `${bin}:${process.env.PATH}`, XDG_RUNTIME_DIR: join(p.dir, 'runtime'), FAKE_OPEN_RECORD: recordFile });
    delete p.env.DISPLAY;
    delete p.env.WAYLAND_DISPLAY;
    serve = p.start(['serve', '--open']);
    await serve.waitFor(/Supervising services\.yaml/);
    await waitUntil('the fake browser was started', () => existsSync(recordFile) && readFileSync(recordFile, 'utf8').length > 0, 20_000);
    record = JSON.parse(readFileSync(recordFile, 'utf8')) as Record;
    launchPath = fileURLToPath(record.argv[0]);
  }, 200_000);

  afterAll(async () => {
    if (record) {
      try {
        process.kill(record.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await p?.cleanup();
  }, 120_000);

  const tokenUrl = (): URL => new URL(/content="0;url=([^"]+)"/.exec(record.page)?.[1].replace(/&amp;/g, '&') ?? 'http://invalid/');

  it('opens the browser on an owner-only page file, not on a URL with the token', () => {
    expect(record.argv).toHaveLength(1);
    expect(record.argv[0]).toMatch(/^file:\/\/\/.*\/runtime\/harness\/serve-\d+\.html$/);
    expect(record.argv[0]).not.toMatch(/token|code/);
    // The browser (this user) can read it, and it leads to the UI with the session token.
    expect(tokenUrl().searchParams.get('token')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(statSync(launchPath).mode & 0o777).toBe(0o600);
    expect(statSync(dirname(launchPath)).mode & 0o777).toBe(0o700);
  });

  it('no process on the machine has the token on its command line, and serve never printed it', () => {
    const token = tokenUrl().searchParams.get('token') as string;
    expect(cmdlinesHolding(token)).toEqual([]);
    // The fake browser is alive and its command line is readable: the scan does see it.
    expect(cmdlinesHolding(record.argv[0]).length).toBeGreaterThan(0);
    expect(serve.output()).not.toContain(token);
  });

  it('the page file leads into a working session', async () => {
    const conn = await connectWebSocket(tokenUrl().href);
    try {
      const info = await new ApiClient(conn).invoke('supervisor.info', {});
      expect(info.pid).toBe(serve.child.pid);
    } finally {
      await conn.dispose();
    }
  });

  it('the printed link is a one-time code: it signs in once, a second use is refused', async () => {
    const link = new URL(/Harness UI: (\S+)/.exec(serve.output())?.[1] ?? 'http://invalid/');
    const code = link.searchParams.get('code') as string;
    expect(code).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(serve.output()).toContain(`to open the UI again: ${record.argv[0]},`);
    const port = Number(link.port);
    expect(await postCode(port, code)).toBe(200);
    expect(await postCode(port, code)).toBe(401);
  });

  it('removes the page file when serve stops', async () => {
    expect(existsSync(launchPath)).toBe(true);
    serve.child.kill('SIGTERM');
    expect(await serve.exited).toBe(0);
    expect(existsSync(launchPath)).toBe(false);
  }, 60_000);
});
