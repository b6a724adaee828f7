import { readdir, readFile, stat } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeWorld, type World } from '../executors/process/test-support/fixtures.js';
import { ProcessStateStore, processStatePath, readProcessState } from './process-state.js';

let world: World;
beforeEach(async () => {
  world = await makeWorld();
});
afterEach(async () => {
  await world.dispose();
});

const entry = (pid: number) => ({ pid, pgid: pid, startTime: 1000 + pid, bootId: 'b', binary: `/bin/s${pid}` });

describe('ProcessStateStore', () => {
  it('keeps every entry when many services start and stop concurrently, and leaves no temp files', async () => {
    const store = new ProcessStateStore(world.stateDir);
    await Promise.all(Array.from({ length: 40 }, (_, i) => store.set(`svc${i}`, entry(100 + i))));
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.remove(`svc${i * 2}`)));
    const { entries, problems } = await readProcessState(world.stateDir);
    expect(problems).toEqual([]);
    expect(Object.keys(entries).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `svc${i * 2 + 1}`).sort());
    expect(entries.svc1).toEqual(entry(101));
    expect(await readdir(world.stateDir)).toEqual(['processes.json']);
    expect((await stat(processStatePath(world.stateDir))).mode & 0o777).toBe(0o600);
  });

  it('removes an entry only when it still describes the given pid', async () => {
    const store = new ProcessStateStore(world.stateDir);
    await store.set('api', entry(200));
    await store.remove('api', 999);
    expect((await readProcessState(world.stateDir)).entries.api).toEqual(entry(200));
    await store.remove('api', 200);
    expect(JSON.parse(await readFile(processStatePath(world.stateDir), 'utf8'))).toEqual({});
  });

  it('keeps entries written by an earlier supervisor when a new one records its own', async () => {
    await new ProcessStateStore(world.stateDir).set('old', entry(300));
    const store = new ProcessStateStore(world.stateDir);
    await store.set('new', entry(301));
    expect(Object.keys((await readProcessState(world.stateDir)).entries).sort()).toEqual(['new', 'old']);
  });

  it('ignores malformed entries and names them', async () => {
    const { writeFile } = await import('node:fs/promises');
    await writeFile(processStatePath(world.stateDir), JSON.stringify({ ok: entry(400), bad: { pid: 1, pgid: 'x' } }));
    const { entries, problems } = await readProcessState(world.stateDir);
    expect(entries).toEqual({ ok: entry(400) });
    expect(problems).toEqual([`${processStatePath(world.stateDir)}: entry "bad" is malformed, ignored`]);
  });
});
