// The LogStore's memory bounds (lines and characters, per service and in all) and reading its
// history in pages (`logs.page`).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LogLine } from '../../shared/events.js';
import { logLineWireSize } from '../../shared/wire.js';
import { LOG_PAGE_BYTES, LogStore } from './log-store.js';
import type { PageQuery } from './history-page.js';

/** Every page of `query`, as the CLI reads them. Bounded: a page always advances the cursor. */
function allPages(store: LogStore, query: PageQuery, budget: number, between?: (page: number) => void): LogLine[][] {
  const pages: LogLine[][] = [];
  let page = store.page(query, budget);
  for (let i = 0; i < 1_000_000; i++) {
    pages.push(page.lines);
    if (page.next === null) return pages;
    between?.(i);
    const next = store.page({ ...query, after: page.next, until: page.until }, budget);
    if (next.next !== null) expect(next.next).toBeGreaterThan(page.next);
    page = next;
  }
  throw new Error('history did not end');
}

const text = (lines: LogLine[]): string[] => lines.map((l) => `${l.service}:${l.stream}:${l.n}:${l.line}`);

describe('LogStore memory bounds', () => {
  it('bounds each service in characters and counts what it dropped', () => {
    const store = new LogStore({ ringChars: 1000 });
    for (let i = 1; i <= 50; i++) store.append('a', 'stdout', `${String(i).padStart(3, '0')}${'x'.repeat(97)}\n`);
    const a = store.history('a');
    // 10 lines of 100 characters fit; 40 were dropped, and the window says so first.
    expect(a.map((l) => l.n)).toEqual([40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50]);
    expect(a[0]).toMatchObject({ stream: 'system', line: '40 older lines dropped from memory (no log file is kept)' });
    expect(store.heldChars()).toBe(1000);
    expect(store.page({ services: ['a'] }).evicted).toEqual({ a: 40 });
  });

  it('says lines were dropped only when the window asks for more than memory holds', () => {
    const store = new LogStore({ ringSize: 10 });
    for (let i = 1; i <= 30; i++) store.append('a', 'stdout', `a${i}\n`);
    for (let i = 1; i <= 3; i++) store.append('b', 'stdout', `b${i}\n`);
    const dropped = (lines: LogLine[]): string[] => lines.filter((l) => l.stream === 'system').map((l) => l.line);
    expect(dropped(store.page({ services: ['a'], limit: 10 }).lines)).toEqual([]);
    expect(dropped(store.page({ services: ['a'], limit: 11 }).lines)).toEqual(['20 older lines dropped from memory (no log file is kept)']);
    expect(dropped(store.page({ limit: 13 }).lines)).toEqual([]);
    expect(dropped(store.page({ limit: 14 }).lines)).toEqual(['20 older lines dropped from memory (no log file is kept)']);
    expect(dropped(store.page({}).lines)).toHaveLength(1);
  });

  it('keeps at least the newest line of a service even when it alone is over the bound', () => {
    const store = new LogStore({ ringChars: 10, maxPartial: 100 });
    store.append('a', 'stdout', `${'y'.repeat(50)}\n`);
    store.append('a', 'stdout', `${'z'.repeat(50)}\n`);
    expect(store.history('a').map((l) => l.line)).toEqual(['1 older line dropped from memory (no log file is kept)', 'z'.repeat(50)]);
  });

  it('bounds all services together: the flooding one gives up lines, a quiet one keeps its history', () => {
    const store = new LogStore({ ringChars: 1_000_000, totalChars: 100_000 });
    for (let i = 0; i < 20; i++) store.append('quiet', 'stdout', `quiet ${i} ${'q'.repeat(1000)}\n`);
    for (let i = 0; i < 5000; i++) store.append('flood', 'stdout', `flood ${i} ${'f'.repeat(1000)}\n`);
    expect(store.heldChars()).toBeLessThanOrEqual(100_000);
    const quiet = store.history('quiet');
    expect(quiet).toHaveLength(20);
    expect(quiet.every((l) => l.stream === 'stdout')).toBe(true);
    const flood = store.history('flood');
    expect(flood[0].stream).toBe('system');
    expect(flood.at(-1)?.line.startsWith('flood 4999 ')).toBe(true);
    expect(store.page({}).evicted.flood).toBeGreaterThan(4900);
    expect(store.page({}).evicted.quiet).toBeUndefined();
  });

  it('splits an over-long system line like any other output, so every held line is bounded', () => {
    const store = new LogStore({ maxPartial: 10 });
    store.system('a', 'x'.repeat(25));
    expect(store.history('a').map((l) => l.line.length)).toEqual([10, 10, 5]);
  });

  it('holds a 50 MB line without newline whole (in 64 KiB pieces) under the default bounds', () => {
    const store = new LogStore();
    const chunk = 'abcdefghij'.repeat(100_000); // 1 MB
    for (let i = 0; i < 50; i++) store.append('big', 'stdout', chunk);
    store.end('big', 'stdout');
    const lines = store.history('big');
    expect(lines.every((l) => l.stream === 'stdout' && l.line.length <= 64 * 1024)).toBe(true);
    expect(lines).toHaveLength(Math.ceil(50_000_000 / (64 * 1024)));
    expect(lines.reduce((n, l) => n + l.line.length, 0)).toBe(50_000_000);
    expect(lines.map((l) => l.line).join('') === chunk.repeat(50)).toBe(true);
  });
});

describe('LogStore history pages', () => {
  it('pages of a 50 MB history are each near the page size, and together are the whole history', () => {
    const store = new LogStore();
    for (let i = 0; i < 800; i++) store.append('big', 'stdout', `${String(i).padStart(5, '0')}${'w'.repeat(64 * 1024)}\n`);
    const pages = allPages(store, { services: ['big'], limit: 100_000 }, LOG_PAGE_BYTES);
    expect(pages.length).toBeGreaterThan(20);
    for (const p of pages) expect(p.reduce((n, l) => n + logLineWireSize(l), 0)).toBeLessThanOrEqual(LOG_PAGE_BYTES);
    for (const p of pages) expect(JSON.stringify(p).length).toBeLessThan(16 * 1024 * 1024);
    const lines = pages.flat();
    expect(text(lines)).toEqual(text(store.history('big', 100_000)));
    // Each 64 KiB + 6 line was split at 64 KiB: 1600 lines, all held (52 MB is under 64 MiB).
    expect(lines.map((l) => l.n)).toEqual(Array.from({ length: 1600 }, (_, i) => i + 1));
  });

  it('lines logged while paging are not part of the history (they come live), and none is repeated', () => {
    const store = new LogStore();
    for (let i = 0; i < 100; i++) store.append(i % 2 ? 'a' : 'b', 'stdout', `old ${i}\n`);
    const pages = allPages(store, {}, 200, (p) => store.append('a', 'stdout', `new ${p}\n`));
    const lines = pages.flat();
    expect(lines.map((l) => l.line)).toEqual(Array.from({ length: 100 }, (_, i) => `old ${i}`));
  });

  it('the tail window: newest N merged over all services, or N of each named service', () => {
    const store = new LogStore();
    for (let i = 0; i < 30; i++) store.append('a', 'stdout', `a${i}\n`);
    for (let i = 0; i < 5; i++) store.append('b', 'stdout', `b${i}\n`);
    expect(allPages(store, { limit: 7 }, 100).flat().map((l) => l.line)).toEqual(['a28', 'a29', 'b0', 'b1', 'b2', 'b3', 'b4']);
    expect(allPages(store, { services: ['a', 'b'], limit: 3 }, 100).flat().map((l) => l.line)).toEqual(['a27', 'a28', 'a29', 'b2', 'b3', 'b4']);
    expect(store.page({ services: ['nobody'] })).toMatchObject({ lines: [], next: null });
    expect(store.page({ services: ['b', 'b'] }).lines.map((l) => l.line)).toEqual(['b0', 'b1', 'b2', 'b3', 'b4']);
  });

  it('any page size gives the same lines as one unbounded page (random stores, windows and budgets)', () => {
    const op = fc.record({
      service: fc.constantFrom('a', 'b', 'c'),
      size: fc.integer({ min: 0, max: 300 }),
      system: fc.boolean(),
    });
    fc.assert(
      fc.property(
        fc.array(op, { maxLength: 300 }),
        fc.record({ ringSize: fc.integer({ min: 1, max: 50 }), ringChars: fc.integer({ min: 1, max: 5000 }), totalChars: fc.integer({ min: 1, max: 8000 }) }),
        fc.option(fc.integer({ min: 1, max: 200 }), { nil: undefined }),
        fc.option(fc.subarray(['a', 'b', 'c'], { minLength: 1 }), { nil: undefined }),
        fc.integer({ min: 1, max: 3000 }),
        (ops, bounds, limit, services, budget) => {
          const store = new LogStore({ ...bounds, maxPartial: 1000 });
          ops.forEach((o, i) => (o.system ? store.system(o.service, `s${i}`.padEnd(o.size, '.')) : store.append(o.service, 'stdout', `${i}`.padEnd(o.size, '-') + '\n')));
          const query: PageQuery = { services, limit };
          const whole = store.page(query, Number.POSITIVE_INFINITY);
          expect(whole.next).toBeNull();
          const paged = allPages(store, query, budget).flat();
          expect(text(paged)).toEqual(text(whole.lines));
          // Each service's lines come in its own order, once; real lines at most `limit`.
          const real = whole.lines.filter((l) => !/older lines? dropped from memory/.test(l.line));
          for (const s of ['a', 'b', 'c']) {
            const ns = whole.lines.filter((l) => l.service === s).map((l) => l.n);
            expect(ns).toEqual([...ns].sort((x, y) => x - y));
            expect(new Set(ns).size).toBe(ns.length);
            if (limit !== undefined && services) expect(real.filter((l) => l.service === s).length).toBeLessThanOrEqual(limit);
          }
          if (limit !== undefined && !services) expect(real.length).toBeLessThanOrEqual(limit);
          expect(store.heldChars()).toBeLessThanOrEqual(Math.max(bounds.totalChars, 3 * 1000));
        },
      ),
      { numRuns: 300, seed: 20240601 },
    );
  });
});
