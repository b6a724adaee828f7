import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LogLine } from '../../shared/events.js';
import { LogStore } from './log-store.js';

let dir: string;
let store: LogStore | null = null;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'harness-logs-'));
});
afterEach(async () => {
  await store?.close();
  store = null;
  await rm(dir, { recursive: true, force: true });
});

function collect(s: LogStore): LogLine[] {
  const lines: LogLine[] = [];
  s.onLine((l) => lines.push(l));
  return lines;
}

describe('LogStore', () => {
  it('keeps a partial line until its newline, per stream, and strips \\r', () => {
    store = new LogStore();
    const lines = collect(store);
    store.append('api', 'stdout', 'hel');
    store.append('api', 'stderr', 'err-part');
    expect(lines).toHaveLength(0);
    store.append('api', 'stdout', 'lo\r\nwor');
    expect(lines.map((l) => [l.stream, l.line])).toEqual([['stdout', 'hello']]);
    store.append('api', 'stderr', '\n');
    store.append('api', 'stdout', 'ld\n\n');
    expect(lines.map((l) => [l.stream, l.line, l.n])).toEqual([
      ['stdout', 'hello', 1],
      ['stderr', 'err-part', 2],
      ['stdout', 'world', 3],
      ['stdout', '', 4],
    ]);
  });

  it('joins a UTF-8 character split across Buffer chunks', () => {
    store = new LogStore();
    const lines = collect(store);
    const bytes = Buffer.from('héllo €\n', 'utf8');
    for (let i = 0; i < bytes.length; i++) store.append('a', 'stdout', bytes.subarray(i, i + 1));
    expect(lines.map((l) => l.line)).toEqual(['héllo €']);
  });

  it('flushes a partial line at end() and at the partial-line limit', () => {
    store = new LogStore({ maxPartial: 10 });
    const lines = collect(store);
    store.append('a', 'stdout', 'abc');
    store.end('a', 'stdout');
    store.append('a', 'stdout', 'x'.repeat(25));
    expect(lines.map((l) => l.line)).toEqual(['abc', 'x'.repeat(10), 'x'.repeat(10)]);
    store.append('a', 'stdout', '\n');
    expect(lines.at(-1)?.line).toBe('xxxxx');
  });

  it('bounds the ring per service and numbers lines so dropped ones are visible', () => {
    store = new LogStore({ ringSize: 100 });
    for (let i = 1; i <= 250; i++) store.append('a', 'stdout', `line ${i}\n`);
    store.append('b', 'stdout', 'only\n');
    const a = store.history('a');
    // The window reaches past what memory holds: one system line says so, numbered as the newest
    // dropped line so readers that skip seen numbers keep it once.
    expect(a).toHaveLength(101);
    expect(a[0]).toMatchObject({ stream: 'system', line: '150 older lines dropped from memory (no log file is kept)', n: 150 });
    expect(a[1]).toMatchObject({ line: 'line 151', n: 151 });
    expect(a[100]).toMatchObject({ line: 'line 250', n: 250 });
    expect(store.history('a', 3).map((l) => l.n)).toEqual([248, 249, 250]);
    expect(store.history('b')).toHaveLength(1);
    expect(store.history('nobody')).toEqual([]);
  });

  it('merges history across services in arrival order, whatever the clock says', () => {
    let t = 1000;
    store = new LogStore({ now: () => t });
    store.append('a', 'stdout', 'a1\n');
    store.append('b', 'stderr', 'b1\n');
    t = 1002;
    store.append('a', 'stdout', 'a2\n');
    t = 1001; // the clock stepped back: still after a2, as it arrived
    store.append('b', 'stderr', 'b2\n');
    expect(store.history().map((l) => l.line)).toEqual(['a1', 'b1', 'a2', 'b2']);
    expect(store.history(undefined, 2).map((l) => l.line)).toEqual(['a2', 'b2']);
    expect(store.history().map((l) => l.ts)).toEqual([1000, 1000, 1002, 1001]);
  });

  it('writes `ISO-ts stream | line` to <stateDir>/logs/<service>.log', async () => {
    store = new LogStore({ stateDir: dir, now: () => Date.UTC(2024, 0, 2, 3, 4, 5, 6) });
    store.append('api', 'stdout', 'out line\n');
    store.append('api', 'stderr', 'err line\n');
    store.system('api', 'started');
    await store.flush();
    const text = await readFile(join(dir, 'logs', 'api.log'), 'utf8');
    expect(text).toBe(
      '2024-01-02T03:04:05.006Z stdout | out line\n' +
        '2024-01-02T03:04:05.006Z stderr | err line\n' +
        '2024-01-02T03:04:05.006Z system | started\n',
    );
  });

  it('rotates by size and keeps 3 old files', async () => {
    store = new LogStore({ stateDir: dir, rotateBytes: 4096, keepFiles: 3, flushDelayMs: 1 });
    const line = 'y'.repeat(100);
    // Write in several flushed rounds so rotation happens between batches.
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 20; i++) store.append('big', 'stdout', `${round}:${i} ${line}\n`);
      await store.flush();
    }
    const files = (await readdir(join(dir, 'logs'))).sort();
    expect(files).toEqual(['big.log', 'big.log.1', 'big.log.2', 'big.log.3']);
    const current = await readFile(join(dir, 'logs', 'big.log'), 'utf8');
    expect(current.length).toBeLessThanOrEqual(4096);
    expect(current).toContain('19:19 ');
    const oldest = await readFile(join(dir, 'logs', 'big.log.3'), 'utf8');
    expect(oldest).not.toContain('19:19 ');
    // Nothing of the last rounds is lost across the rotation boundaries.
    const all = (await Promise.all(files.map((f) => readFile(join(dir, 'logs', f), 'utf8')))).join('');
    for (let i = 0; i < 20; i++) expect(all).toContain(`19:${i} `);
  });

  it('takes a flood of 100-byte lines without losing or duplicating any', async () => {
    store = new LogStore({ stateDir: dir, ringSize: 5000 });
    let count = 0;
    let bytes = 0;
    store.onLine((l) => {
      count++;
      bytes += l.line.length + 1;
    });
    const body = 'z'.repeat(99) + '\n';
    const chunk = body.repeat(640); // 64 000 bytes per chunk, as a pipe would deliver
    const total = 50 * 1024 * 1024;
    const chunks = Math.ceil(total / chunk.length);
    const started = performance.now();
    for (let i = 0; i < chunks; i++) {
      // Odd split points so partial lines are exercised throughout.
      const cut = (i * 37) % chunk.length;
      store.append('flood', 'stdout', Buffer.from(chunk.slice(0, cut)));
      store.append('flood', 'stdout', Buffer.from(chunk.slice(cut)));
    }
    const ms = performance.now() - started;
    await store.flush();
    const expected = chunks * 640;
    expect(count).toBe(expected);
    expect(bytes).toBe(chunks * chunk.length);
    const kept = store.history('flood');
    expect(kept).toHaveLength(5001);
    expect(kept[0]).toMatchObject({ stream: 'system', n: expected - 5000 });
    expect(kept[0].line).toBe(`${expected - 5000} older lines dropped from memory; the full log is in ${join(dir, 'logs', 'flood.log')}`);
    expect(kept.at(-1)?.n).toBe(expected);
    // Informational only (no speed assertion): printed so regressions are visible.
    console.log(`log flood: ${((chunks * chunk.length) / 1e6 / (ms / 1000)).toFixed(0)} MB/s in-memory split of ${expected} lines`);
  });

  it('takes system chunks as whole messages, without waiting for a newline', () => {
    store = new LogStore();
    const lines = collect(store);
    store.append('a', 'system', 'started pid 1');
    store.append('a', 'system', 'two\nlines\n');
    expect(lines.map((l) => [l.stream, l.line])).toEqual([['system', 'started pid 1'], ['system', 'two'], ['system', 'lines']]);
  });

  it('a throwing listener does not stop other listeners', () => {
    store = new LogStore();
    store.onLine(() => {
      throw new Error('boom');
    });
    const lines = collect(store);
    store.append('a', 'stdout', 'x\n');
    expect(lines).toHaveLength(1);
  });
});
