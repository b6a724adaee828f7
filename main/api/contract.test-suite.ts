// The API contract, as one suite any transport runs: give it a way to connect a client to a
// dispatcher, and it checks the whole path (validation, envelopes, events, ordering) over it.
//
//   defineContractSuite('WebSocket', async (dispatcher) => { …serve it…; return { connection, close } });
//
// It builds its own project (two small Node services in a temp dir, own state dir) and removes
// everything afterwards, also on failure.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, type ApiConnection } from '../../shared/api-client.js';
import { HarnessError } from '../../shared/errors.js';
import type { LogLine, StatusEvent } from '../../shared/events.js';
import { collectLogHistory } from '../../shared/log-history.js';
import { ProjectSession } from '../project/project-session.js';
import { createCoreApi } from './core-api.js';
import type { ApiDispatcher } from './dispatcher.js';
import { freePort } from '../test-support/ports.js';

export interface ContractConnection {
  connection: ApiConnection;
  close(): Promise<void> | void;
}

export type ConnectionFactory = (dispatcher: ApiDispatcher) => Promise<ContractConnection>;

const STACK = `
name: contract
services:
  - name: db
    target:
      type: Process
      binary: node
      args: ["-e", "require('net').createServer(s => s.end()).listen(Number(process.env.PORT), '127.0.0.1', () => console.log('db up'))"]
      env: { PORT: "\${DB_PORT}" }
      ports: ["\${DB_PORT}"]
    health_check: { type: tcp, interval: 20ms }
  - name: app
    target:
      type: Process
      binary: node
      args: ["-e", "console.log('app sees ' + process.env.DB_ADDR + ':' + process.env.DB_PORT); console.error('app warning'); setInterval(() => {}, 1000)"]
    dependencies: [db]
`;

async function waitFor<T>(what: string, get: () => T | undefined, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = get();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}


export function defineContractSuite(transport: string, connect: ConnectionFactory): void {
  describe(`core API contract over ${transport}`, () => {
    let dir: string;
    let session: ProjectSession;
    let conn: ContractConnection;
    let client: ApiClient;
    const statuses: StatusEvent[] = [];
    const lines: LogLine[] = [];

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'harness-contract-'));
      await writeFile(join(dir, 'services.yaml'), STACK);
      await writeFile(join(dir, 'broken.yaml'), 'services:\n  - name: x\n    target: { type: Process }\n');
      const env = { ...process.env, HARNESS_STATE_DIR: join(dir, 'state'), DB_PORT: String(await freePort()) };
      session = new ProjectSession({ env });
      await session.open(join(dir, 'services.yaml'));
      conn = await connect(createCoreApi(session).dispatcher);
      client = new ApiClient(conn.connection);
      client.on('status', (e) => statuses.push(e));
      client.on('logs', (b) => lines.push(...b.lines));
    });

    afterAll(async () => {
      client?.dispose();
      await conn?.close();
      await session?.close();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it('snapshot lists the services, stopped, with no problems', async () => {
      const snap = await client.invoke('project.snapshot', {});
      expect(snap.project).toBe('contract');
      expect(snap.services.map((s) => [s.config.name, s.state.status])).toEqual([
        ['db', 'stopped'],
        ['app', 'stopped'],
      ]);
      expect(snap.problems.filter((p) => p.severity === 'error')).toEqual([]);
    });

    it('start resolves when ready and emits status events with increasing seq, dependency first', async () => {
      const result = await client.invoke('services.start', {});
      expect(result.started.sort()).toEqual(['app', 'db']);
      await waitFor('app running', () => statuses.find((s) => s.state.name === 'app' && s.state.status === 'running'));
      const seqs = statuses.map((s) => s.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(new Set(seqs).size).toBe(seqs.length);
      const dbHealthy = statuses.findIndex((s) => s.state.name === 'db' && s.state.status === 'healthy');
      const appStarting = statuses.findIndex((s) => s.state.name === 'app' && s.state.status === 'starting');
      expect(dbHealthy).toBeGreaterThanOrEqual(0);
      expect(appStarting).toBeGreaterThan(dbHealthy);
      const snap = await client.invoke('project.snapshot', {});
      expect(snap.seq).toBeGreaterThanOrEqual(Math.max(...seqs));
    });

    it('streams log lines with their stream, and keeps them as history', async () => {
      const seen = await waitFor('app output', () => lines.find((l) => l.service === 'app' && l.line.startsWith('app sees')));
      expect(seen.stream).toBe('stdout');
      expect(seen.line).toMatch(/^app sees 127\.0\.0\.1:\d+$/);
      await waitFor('stderr line', () => lines.find((l) => l.service === 'app' && l.stream === 'stderr' && l.line === 'app warning'));
      const history = await client.invoke('logs.history', { service: 'app', limit: 100 });
      expect(history.some((l) => l.line === seen.line && l.n === seen.n)).toBe(true);
    });

    it('reads the same history in pages (logs.page), and names an unknown service', async () => {
      const whole = await client.invoke('logs.history', { limit: 100 });
      const paged = await collectLogHistory(client, { limit: 100 });
      expect(paged.map((l) => `${l.service}:${l.n}`)).toEqual(whole.map((l) => `${l.service}:${l.n}`));
      const page = await client.invoke('logs.page', { services: ['app'], limit: 1 });
      expect(page.lines).toHaveLength(1);
      expect(page).toMatchObject({ next: null, evicted: {} });
      await expect(client.invoke('logs.page', { services: ['nope'] })).rejects.toSatisfy(
        (e: unknown) => e instanceof HarnessError && e.code === 'NOT_FOUND' && e.message.includes('"nope"'),
      );
    });

    it('stop stops dependents first and reports what it stopped', async () => {
      const from = statuses.length;
      const result = await client.invoke('services.stop', { services: ['db'] });
      expect(result.stopped.sort()).toEqual(['app', 'db']);
      const later = await waitFor('both stopped', () => {
        const evs = statuses.slice(from);
        const stopped = (n: string): number => evs.findIndex((s) => s.state.name === n && s.state.status === 'stopped');
        return stopped('app') >= 0 && stopped('db') >= 0 ? evs : undefined;
      });
      const idx = (n: string): number => later.findIndex((s) => s.state.name === n && s.state.status === 'stopped');
      expect(idx('app')).toBeLessThan(idx('db'));
      const snap = await client.invoke('project.snapshot', {});
      expect(snap.services.every((s) => s.state.status === 'stopped')).toBe(true);
    });

    it('rejects bad params with BAD_REQUEST and unknown methods with UNKNOWN_METHOD', async () => {
      const bad = await conn.connection.call('services.start', { services: 'db' });
      expect(bad.ok).toBe(false);
      if (!bad.ok) expect(bad.error.code).toBe('BAD_REQUEST');
      const extra = await conn.connection.call('project.snapshot', { sneaky: 1 });
      expect(extra.ok ? 'ok' : extra.error.code).toBe('BAD_REQUEST');
      const unknown = await conn.connection.call('services.explode', {});
      expect(unknown.ok ? 'ok' : unknown.error.code).toBe('UNKNOWN_METHOD');
    });

    it('trusts through hosts.trust only a host key the core showed (NOT_FOUND otherwise), and checks its params', async () => {
      const err = await client.invoke('hosts.trust', { host: '10.0.0.1', port: 22, fingerprint: `SHA256:${'B'.repeat(43)}` }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(HarnessError);
      expect((err as HarnessError).code).toBe('NOT_FOUND');
      const bad = await conn.connection.call('hosts.trust', { host: '-oProxyCommand=x', port: 22, fingerprint: 'SHA256:x' });
      expect(bad.ok ? 'ok' : bad.error.code).toBe('BAD_REQUEST');
    });

    it('refuses services.rollback for a target without releases (BAD_REQUEST) and an unknown service (NOT_FOUND)', async () => {
      const err = await client.invoke('services.rollback', { service: 'db' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(HarnessError);
      expect((err as HarnessError).code).toBe('BAD_REQUEST');
      expect((err as HarnessError).message).toMatch(/db is a Process service: only Wireguard services have releases/);
      const missing = await client.invoke('services.rollback', { service: 'nope' }).catch((e: unknown) => e);
      expect((missing as HarnessError).code).toBe('NOT_FOUND');
    });

    it('names an unknown service with NOT_FOUND', async () => {
      const err = await client.invoke('services.start', { services: ['nope'] }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(HarnessError);
      expect((err as HarnessError).code).toBe('NOT_FOUND');
      expect((err as HarnessError).message).toContain('nope');
    });

    it('edits are a draft: undo, redo, validate and apply travel the contract', async () => {
      const edited = await client.invoke('project.edit', { edits: [{ op: 'setPosition', service: 'db', x: 4, y: 5 }] });
      expect(edited.dirty).toBe(true);
      expect(edited.history).toMatchObject({ canUndo: true, undo: 'Move db' });
      const checked = await client.invoke('project.validate', { edits: [{ op: 'renameService', name: 'app', to: 'db' }] });
      expect(checked.refused).toMatch(/duplicate service name "db"/);
      expect((await client.invoke('project.undo', {})).dirty).toBe(false);
      expect((await client.invoke('project.redo', {})).dirty).toBe(true);
      const source = await client.invoke('project.source', {});
      expect(source.text).toContain('position: {x: 4, y: 5}');
      expect((await client.invoke('project.revert', {})).dirty).toBe(false);
      expect(await client.invoke('project.apply', {})).toEqual({ restarted: [], stopped: [] });
      const bad = await conn.connection.call('project.conflict', { action: 'merge' });
      expect(bad.ok ? 'ok' : bad.error.code).toBe('BAD_REQUEST');
    });

    it('opens a file with errors, lists its problems, and refuses to start it with CONFIG_INVALID', async () => {
      const snap = await client.invoke('project.open', { path: join(dir, 'broken.yaml') });
      expect(snap.problems.some((p) => p.severity === 'error' && p.line > 0)).toBe(true);
      const err = await client.invoke('services.start', {}).catch((e: unknown) => e);
      expect((err as HarnessError).code).toBe('CONFIG_INVALID');
      expect(Array.isArray(((err as HarnessError).details as { problems: unknown[] }).problems)).toBe(true);
    });
  });
}
