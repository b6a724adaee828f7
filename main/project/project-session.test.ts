import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProjectEvent } from '../../shared/events.js';
import { HarnessError } from '../../shared/errors.js';
import { isAlive } from '../os/proc-stat.js';
import { ProjectSession } from './project-session.js';

const FILE_A = `# the A stack
services:
  - name: idle   # keeps running
    target: { type: Process, binary: node, args: ["-e", "setInterval(() => {}, 1000)"] }
`;
const FILE_CRASH = `services:
  - name: crash
    target: { type: Process, binary: ./no-such-server }
`;
const FILE_B = `services:
  - name: other
    target: { type: Process, binary: node, args: ["-e", "setInterval(() => {}, 1000)"] }
`;

describe('ProjectSession', () => {
  let dir: string;
  let session: ProjectSession;
  const events: ProjectEvent[] = [];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'harness-session-'));
    await writeFile(join(dir, 'a.yaml'), FILE_A);
    await writeFile(join(dir, 'b.yaml'), FILE_B);
    await writeFile(join(dir, 'crash.yaml'), FILE_CRASH);
    session = new ProjectSession({ env: { ...process.env, HARNESS_STATE_DIR: join(dir, 'state') } });
    events.length = 0;
    session.on((e) => {
      if (e.type === 'project') events.push(e.event);
    });
  });
  afterEach(async () => {
    await session.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('edits mark the project dirty; save writes atomically, keeps comments and clears dirty', async () => {
    await session.open(join(dir, 'a.yaml'));
    const edited = await session.edit([{ op: 'setPosition', service: 'idle', x: 10.4, y: 20 }]);
    expect(edited.dirty).toBe(true);
    expect(edited.services[0].config.ui?.position).toEqual({ x: 10, y: 20 });
    await session.save();
    expect(session.snapshot().dirty).toBe(false);
    const text = await readFile(join(dir, 'a.yaml'), 'utf8');
    expect(text).toContain('# the A stack');
    expect(text).toContain('# keeps running');
    expect(text).toMatch(/x: 10/);
    expect(events.map((e) => e.kind)).toEqual(['opened', 'changed', 'saved']);
  });

  it('opening another file stops the current stack first', async () => {
    await session.open(join(dir, 'a.yaml'));
    const report = await session.start();
    expect(report.ready).toEqual(['idle']);
    const pid = session.snapshot().services[0].state.pid as number;
    expect(isAlive(pid)).toBe(true);
    const snap = await session.open(join(dir, 'b.yaml'));
    expect(isAlive(pid)).toBe(false);
    expect(snap.services.map((s) => s.config.name)).toEqual(['other']);
    expect(events.map((e) => e.kind)).toEqual(['opened', 'closed', 'opened']);
  });

  it('a file with errors opens with its problems; start refuses with CONFIG_INVALID', async () => {
    await writeFile(join(dir, 'bad.yaml'), 'services:\n  - name: x\n    target: { type: Process }\n');
    const snap = await session.open(join(dir, 'bad.yaml'));
    expect(snap.services).toEqual([]);
    expect(snap.problems[0]).toMatchObject({ line: 3, severity: 'error' });
    const err = (await session.start().catch((e: unknown) => e)) as HarnessError;
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.message).toMatch(/bad\.yaml:3:\d+: services\[0\]\.target: missing required field "binary"/);
  });

  it('an unknown name gets one message in start, stop, restart and logs history: the file, a suggestion, the services', async () => {
    await session.open(join(dir, 'a.yaml'));
    const expected = `unknown service "idlle" in ${session.file} (did you mean "idle"?); the file defines: idle`;
    const calls: Array<[string, () => unknown]> = [
      ['start', () => session.start(['idlle'])],
      ['stop', () => session.stop(['idlle'])],
      ['restart', () => session.restart(['idlle'])],
      ['history', () => session.history('idlle')],
    ];
    for (const [what, call] of calls) {
      const err = (await Promise.resolve().then(call).then(() => null, (e: unknown) => e)) as HarnessError | null;
      expect(err, what).toBeInstanceOf(HarnessError);
      expect([what, err?.code, err?.message]).toEqual([what, 'NOT_FOUND', expected]);
    }
    // A name with nothing close to it gets no suggestion; nothing was started by any of the calls.
    const far = (await session.start(['zzzzzz']).catch((e: unknown) => e)) as HarnessError;
    expect(far.message).toBe(`unknown service "zzzzzz" in ${session.file}; the file defines: idle`);
    expect(session.states().map((s) => s.status)).toEqual(['stopped']);
  });

  it('a restart whose service does not come up throws the failed-start error with the report', async () => {
    await session.open(join(dir, 'crash.yaml'));
    const err = (await session.restart(['crash']).catch((e: unknown) => e)) as HarnessError;
    expect(err).toBeInstanceOf(HarnessError);
    expect(err.code).toBe('UNAVAILABLE');
    const report = err.details as { ready: string[]; failed: Array<{ service: string; reason: string }> };
    expect(report.ready).toEqual([]);
    expect(report.failed.map((f) => f.service)).toEqual(['crash']);
    expect(report.failed[0].reason).toContain('no-such-server');
    expect(err.message).toBe(`1 service failed to start: crash: ${report.failed[0].reason}`);
  });
});
