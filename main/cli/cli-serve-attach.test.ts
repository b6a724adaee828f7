// `harness serve` on a stack that already runs (`harness up -d`) attaches to its supervisor: the
// UI sees the same state and logs and drives the same services; closing the UI leaves the stack
// running; `harness down` ends both.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../../shared/api-client.js';
import type { LogLine } from '../../shared/events.js';
import { connectWebSocket, type WsConnection } from '../server/ws-connection.js';
import { ensureBuilt, makeProject, waitUntil, type Project, type RunningCli } from './test-support/cli-harness.js';

const STACK = `services:
  - name: ticker
    target: { type: Process, binary: node, args: ["-e", "setInterval(() => console.log('tick ' + Date.now()), 100)"] }
    health_check: { type: log, pattern: tick }
  - name: web
    target: { type: Process, binary: sleep, args: ["300"] }
    dependencies: [ticker]
`;

/** The tokenised URL from the owner-only launch page that serve wrote. */
function launchUrl(p: Project): string {
  const dir = join(p.dir, 'runtime', 'harness');
  const page = readdirSync(dir).find((f) => f.startsWith('serve-'));
  const html = readFileSync(join(dir, page as string), 'utf8');
  return (/content="0;url=([^"]+)"/.exec(html)?.[1] ?? '').replace(/&amp;/g, '&');
}

describe('harness serve on a running stack', () => {
  let p: Project;
  let serve: RunningCli;
  let conn: WsConnection;
  let api: ApiClient;
  let supervisorPid: number;

  beforeAll(async () => {
    ensureBuilt();
    p = await makeProject(STACK);
    const up = await p.run(['up', '-d', '--timeout', '30s']);
    expect(up.code).toBe(0);
    supervisorPid = JSON.parse((await p.run(['ps', '--json'])).stdout).supervisor.pid;
    serve = p.start(['serve', '--no-open']);
    await serve.waitFor(/Attached to the supervisor of services\.yaml \(pid \d+\)/);
    await waitUntil('the launch page', () => {
      try {
        return launchUrl(p).includes('token=');
      } catch {
        return false;
      }
    });
    conn = await connectWebSocket(launchUrl(p));
    api = new ApiClient(conn);
  }, 200_000);

  afterAll(async () => {
    await conn?.dispose();
    await p?.cleanup();
  }, 120_000);

  it('instead of refusing, attaches: the UI talks to the running supervisor', async () => {
    expect(serve.output()).not.toMatch(/already supervised/);
    const info = await api.invoke('supervisor.info', {});
    expect(info.pid).toBe(supervisorPid);
    const snap = await api.invoke('project.snapshot', {});
    expect(snap.services.map((s) => [s.state.name, s.state.status])).toEqual([['ticker', 'healthy'], ['web', 'running']]);
  });

  it('streams the running services\' live logs', async () => {
    const seen: LogLine[] = [];
    const off = api.on('logs', (b) => seen.push(...b.lines));
    await waitUntil('live ticks through the attached UI', () => seen.some((l) => l.service === 'ticker' && /^tick /.test(l.line)), 10_000);
    off();
  });

  it('controls the same services: a stop from the UI stops them in the supervisor', async () => {
    const statuses: string[] = [];
    const off = api.on('status', (e) => e.state.name === 'web' && statuses.push(e.state.status));
    await api.invoke('services.stop', { services: ['web'] });
    off();
    expect(statuses).toContain('stopped');
    const ps = JSON.parse((await p.run(['ps', '--json'])).stdout) as { services: Array<{ name: string; status: string }> };
    expect(ps.services.find((s) => s.name === 'web')?.status).toBe('stopped');
    await api.invoke('services.start', { services: ['web'] });
  });

  it('refuses to move the supervisor to another file', async () => {
    await expect(api.invoke('project.open', { path: join(p.dir, 'other.yaml') })).rejects.toThrow(/attached to the supervisor of .*services\.yaml/);
  });

  it('Ctrl-C closes only the UI; the stack keeps running', async () => {
    serve.child.kill('SIGINT');
    expect(await serve.exited).toBe(0);
    const ps = JSON.parse((await p.run(['ps', '--json'])).stdout) as { supervisor: { pid: number } | null; services: Array<{ status: string }> };
    expect(ps.supervisor?.pid).toBe(supervisorPid);
    expect(ps.services.map((s) => s.status)).toEqual(['healthy', 'running']);
  }, 60_000);

  it('an attached serve ends when the supervisor stops', async () => {
    const again = p.start(['serve', '--no-open']);
    await again.waitFor(/Attached to the supervisor/);
    const down = await p.run(['down']);
    expect(down.code).toBe(0);
    expect(await again.exited).toBe(0);
  }, 60_000);
});
