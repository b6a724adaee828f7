// The session's editing rules with real processes: edits never touch what runs; a save marks
// running services changed; apply restarts exactly the named ones; saves never overwrite a file
// changed on disk; unsaved edits survive the session.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProjectSnapshot } from '../../shared/api.js';
import { HarnessError } from '../../shared/errors.js';
import type { ProjectEvent } from '../../shared/events.js';
import { isAlive } from '../os/proc-stat.js';
import { ProjectSession } from './project-session.js';
import { RECOVERY_FILE } from './recovery-draft.js';

const idle = (tag: string) => `{ type: Process, binary: node, args: ["-e", "setInterval(() => {}, 1000)", "${tag}"] }`;
const FILE = `# the stack
services:
  - name: a   # first
    target: ${idle('a1')}
  - name: b
    target: ${idle('b1')}
  - name: c
    target: ${idle('c1')}
    dependencies: [a]
`;

async function waitFor<T>(what: string, get: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = get();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const pid = (s: ProjectSnapshot, name: string) => s.services.find((x) => x.config.name === name)?.state.pid ?? s.pendingRemoval?.find((p) => p.state.name === name)?.state.pid;
const args = (name: string, tag: string) => ({ op: 'setField' as const, service: name, path: ['target', 'args'], value: ['-e', 'setInterval(() => {}, 1000)', tag] });

describe('ProjectSession: drafts, saves and apply', () => {
  let dir: string;
  let file: string;
  let env: NodeJS.ProcessEnv;
  const sessions: ProjectSession[] = [];
  const events: ProjectEvent[] = [];
  const session = (watch = false) => {
    const s = new ProjectSession({ env, watch, watchDebounceMs: 30 });
    s.on((e) => {
      if (e.type === 'project') events.push(e.event);
    });
    sessions.push(s);
    return s;
  };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'harness-draft-session-'));
    file = join(dir, 'services.yaml');
    await writeFile(file, FILE);
    env = { ...process.env, HARNESS_STATE_DIR: join(dir, 'state') };
    events.length = 0;
  });
  afterEach(async () => {
    for (const s of sessions.splice(0)) await s.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('edits never touch running services; save marks them changed; apply restarts only the named one', async () => {
    const s = session();
    await s.open(file);
    await s.start();
    const before = s.snapshot();
    const [pa, pb, pc] = ['a', 'b', 'c'].map((n) => pid(before, n)!);

    // Change a, delete b: the draft changes, nothing that runs does.
    await s.edit([args('a', 'a2')]);
    const edited = await s.edit([{ op: 'removeService', name: 'b' }]);
    expect(edited.dirty).toBe(true);
    expect(edited.services.map((x) => x.config.name)).toEqual(['a', 'c']);
    expect(edited.pendingRemoval).toEqual([{ state: expect.objectContaining({ name: 'b', status: 'running', pid: pb }), saved: false }]);
    expect([pid(edited, 'a'), pid(edited, 'c')]).toEqual([pa, pc]);
    expect(edited.services.every((x) => !x.changed)).toBe(true);

    await s.save();
    const saved = s.snapshot();
    expect(saved.dirty).toBe(false);
    expect(saved.services.find((x) => x.config.name === 'a')?.changed).toBe(true);
    expect(saved.services.find((x) => x.config.name === 'c')?.changed).toBeUndefined();
    expect(saved.pendingRemoval).toEqual([{ state: expect.objectContaining({ name: 'b', status: 'running' }), saved: true }]);
    for (const p of [pa, pb, pc]) expect(isAlive(p)).toBe(true);

    const r = await s.apply(['a']);
    expect(r).toEqual({ restarted: ['a'], stopped: [] });
    const applied = s.snapshot();
    expect(isAlive(pa)).toBe(false);
    expect(pid(applied, 'a')).not.toBe(pa);
    expect(applied.services.find((x) => x.config.name === 'a')?.state.status).toBe('running');
    expect(applied.services.find((x) => x.config.name === 'a')?.changed).toBeUndefined();
    // Its dependent and the removed service were left alone.
    expect(pid(applied, 'c')).toBe(pc);
    expect(isAlive(pb)).toBe(true);

    expect(await s.apply()).toEqual({ restarted: [], stopped: ['b'] });
    expect(isAlive(pb)).toBe(false);
    expect(s.snapshot().pendingRemoval).toEqual([]);
    expect(isAlive(pc)).toBe(true);
  });

  it('a stopped service takes the saved config at once; a service that exists only in the draft cannot start', async () => {
    const s = session();
    await s.open(file);
    await s.edit([{ op: 'addService', service: { name: 'd', target: { type: 'Process', binary: 'node', args: ['-e', 'setInterval(() => {}, 1000)'] } } }]);
    const err = (await s.start(['d']).catch((e: unknown) => e)) as HarnessError;
    expect(err.code).toBe('NOT_FOUND');
    expect(err.message).toMatch(/"d" is an unsaved edit: save .* before starting it/);
    await s.edit([args('b', 'b2')]);
    await s.save();
    expect(s.snapshot().services.some((x) => x.changed)).toBe(false);
    await s.start(['b', 'd']);
    const snap = s.snapshot();
    expect(snap.services.find((x) => x.config.name === 'd')?.state.status).toBe('running');
    // b was stopped at the save: it started with the saved arguments.
    const cmdline = await readFile(`/proc/${pid(snap, 'b')}/cmdline`, 'utf8');
    expect(cmdline.split('\0')).toContain('b2');
  });

  it('restarting a changed service applies the saved config', async () => {
    const s = session();
    await s.open(file);
    await s.start(['b']);
    await s.edit([args('b', 'b3')]);
    await s.save();
    expect(s.snapshot().services.find((x) => x.config.name === 'b')?.changed).toBe(true);
    await s.restart(['b']);
    const snap = s.snapshot();
    expect(snap.services.find((x) => x.config.name === 'b')?.changed).toBeUndefined();
    expect((await readFile(`/proc/${pid(snap, 'b')}/cmdline`, 'utf8')).split('\0')).toContain('b3');
  });

  it('save refuses to overwrite a file changed on disk; "keep mine" then saves over it', async () => {
    const s = session();
    await s.open(file);
    await s.edit([{ op: 'setPosition', service: 'a', x: 10, y: 20 }]);
    const theirs = FILE.replace('# the stack', '# edited elsewhere');
    await writeFile(file, theirs);
    const err = (await s.save().catch((e: unknown) => e)) as HarnessError;
    expect(err.code).toBe('CONFLICT');
    expect(err.details).toEqual({ reason: 'changed-on-disk' });
    expect(await readFile(file, 'utf8')).toBe(theirs);
    expect(s.snapshot().conflict).toEqual({ at: expect.any(Number), missing: false });
    expect((await s.source('disk')).text).toBe(theirs);

    const kept = await s.resolveConflict('keep');
    expect(kept.conflict).toBeNull();
    expect(kept.dirty).toBe(true);
    await s.save();
    expect(await readFile(file, 'utf8')).toContain('position: {x: 10, y: 20}');
  });

  it('"reload" takes the file on disk, as a step that undo takes back', async () => {
    const s = session();
    await s.open(file);
    const mine = await s.edit([{ op: 'setPosition', service: 'a', x: 1, y: 2 }]);
    const theirs = FILE.replace('name: b', 'name: bee');
    await writeFile(file, theirs);
    await s.save().catch(() => undefined);
    const reloaded = await s.resolveConflict('reload');
    expect(reloaded.dirty).toBe(false);
    expect(reloaded.services.map((x) => x.config.name)).toEqual(['a', 'bee', 'c']);
    const back = await s.undo();
    expect(back.dirty).toBe(true);
    expect((await s.source()).text).toContain('position: {x: 1, y: 2}');
    expect(back.services.map((x) => x.config.name)).toEqual(mine.services.map((x) => x.config.name));
  });

  it('a merged text kept over a conflict becomes the draft, and the next save writes it', async () => {
    const s = session();
    await s.open(file);
    await s.edit([{ op: 'setPosition', service: 'a', x: 1, y: 2 }]);
    await writeFile(file, FILE.replace('# the stack', '# theirs'));
    await s.save().catch(() => undefined);
    const merged = `${FILE.replace('# the stack', '# theirs')}# and mine\n`;
    await s.resolveConflict('keep', merged);
    await s.save();
    expect(await readFile(file, 'utf8')).toBe(merged);
  });

  it('the watcher reloads a clean draft and asks about a dirty one; our own saves are not external changes', async () => {
    const s = session(true);
    await s.open(file);
    await s.edit([{ op: 'setPosition', service: 'a', x: 3, y: 4 }]);
    await s.save();
    const savedAt = events.length;
    // An editor saving by rename, as vim does.
    const other = join(dir, '.services.yaml.swp');
    await writeFile(other, (await readFile(file, 'utf8')).replace('name: c', 'name: see'));
    const { rename } = await import('node:fs/promises');
    await rename(other, file);
    await waitFor('reload event', () => events.some((e) => e.disk === 'reloaded'));
    expect(events.slice(savedAt).filter((e) => e.disk).map((e) => e.disk)).toEqual(['reloaded']);
    const snap = s.snapshot();
    expect(snap.dirty).toBe(false);
    expect(snap.services.map((x) => x.config.name)).toEqual(['a', 'b', 'see']);

    await s.edit([{ op: 'setPosition', service: 'b', x: 7, y: 8 }]);
    await writeFile(file, FILE);
    await waitFor('conflict event', () => events.some((e) => e.disk === 'conflict'));
    const dirty = s.snapshot();
    expect(dirty.conflict).toEqual({ at: expect.any(Number), missing: false });
    expect(dirty.dirty).toBe(true);
    // The draft kept my edit and the file kept theirs.
    expect((await s.source()).text).toContain('position: {x: 7, y: 8}');
    expect(await readFile(file, 'utf8')).toBe(FILE);
    expect(events.filter((e) => e.disk).map((e) => e.disk)).toEqual(['reloaded', 'conflict']);
  });

  it('unsaved edits survive the session: offered the next time, restored, and gone once saved', async () => {
    const first = session();
    await first.open(file);
    const edited = (await first.edit([{ op: 'renameService', name: 'b', to: 'bee' }])) && (await first.source()).text!;
    await first.close();
    expect(await readFile(file, 'utf8')).toBe(FILE);

    const second = session();
    const opened = await second.open(file);
    expect(opened.recovery).toEqual({ savedAt: expect.any(Number), baseChanged: false });
    expect(opened.dirty).toBe(false);
    expect((await second.source('recovery')).text).toBe(edited);
    const restored = await second.resolveRecovery('restore');
    expect(restored.recovery).toBeNull();
    expect(restored.dirty).toBe(true);
    expect((await second.source()).text).toBe(edited);
    const stateDir = second.stateDir!;
    expect(existsSync(join(stateDir, RECOVERY_FILE))).toBe(true);
    await second.save();
    expect(existsSync(join(stateDir, RECOVERY_FILE))).toBe(false);
    expect(await readFile(file, 'utf8')).toBe(edited);
  });

  it('a discarded recovery draft is not offered again; undoing back to the saved text removes it', async () => {
    const first = session();
    await first.open(file);
    await first.edit([{ op: 'setPosition', service: 'a', x: 1, y: 1 }]);
    await first.close();
    const second = session();
    expect((await second.open(file)).recovery).not.toBeNull();
    await second.resolveRecovery('discard');
    await second.close();
    const third = session();
    expect((await third.open(file)).recovery).toBeNull();
    await third.edit([{ op: 'setPosition', service: 'a', x: 2, y: 2 }]);
    expect(existsSync(join(third.stateDir!, RECOVERY_FILE))).toBe(true);
    await third.undo();
    expect(existsSync(join(third.stateDir!, RECOVERY_FILE))).toBe(false);
  });

  it('undo after save makes the draft dirty again; undo and redo are one step per edit call', async () => {
    const s = session();
    await s.open(file);
    await s.edit([{ op: 'setPosition', service: 'a', x: 1, y: 1 }, { op: 'setPosition', service: 'b', x: 2, y: 2 }]);
    await s.save();
    const undone = await s.undo();
    expect(undone.dirty).toBe(true);
    expect(undone.history).toEqual({ canUndo: false, canRedo: true, undo: undefined, redo: 'Move a, b' });
    expect((await s.source()).text).toBe(FILE);
    expect((await s.redo()).dirty).toBe(false);
  });

  it('an invalid draft shows every service; the saved file keeps running and starting', async () => {
    const s = session();
    await s.open(file);
    const snap = await s.edit([{ op: 'addService', service: { name: 'web', target: { type: 'Docker', image: '' } } }]);
    expect(snap.services.map((x) => [x.config.name, x.path])).toEqual([['a', 'services[0]'], ['b', 'services[1]'], ['c', 'services[2]']]);
    expect(snap.invalid).toEqual([expect.objectContaining({ name: 'web', path: 'services[3]', index: 3, type: 'Docker', raw: { name: 'web', target: { type: 'Docker', image: '' } } })]);
    expect(snap.problems).toEqual([expect.objectContaining({ path: 'services[3].target.image', message: 'must not be empty' })]);
    expect(snap.savedInvalid).toBe(false);
    const report = await s.start(['a']);
    expect(report.ready).toEqual(['a']);
  });
});
