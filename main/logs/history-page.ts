// Reading the in-memory log history in bounded pages (`logs.page`). Every stored line carries a
// store-wide arrival number (`seq`); each service's ring holds its lines in seq order, so a page
// is a k-way merge of the rings from a cursor, and the cursor is one integer. Pages are stateless:
// the tail window (`limit`) is recomputed from `until` on every call, which gives the same lines
// as on the first call (later lines are beyond `until`; evictions only remove the oldest).
import type { LogPage } from '../../shared/api.js';
import type { LogLine } from '../../shared/events.js';
import { logLineWireSize as wireSize } from '../../shared/wire.js';
import type { RingBuffer } from './ring-buffer.js';

export interface StoredLine {
  line: LogLine;
  seq: number;
  /** Characters of text held (what the byte bounds count). */
  size: number;
}

export interface PageSource {
  service: string;
  ring: RingBuffer<StoredLine>;
  /** Lines of this service no longer in memory, and the seq of the newest of them (0: none). */
  evicted: number;
  lastEvictedSeq: number;
  /** Where the full log is, for the "dropped from memory" line. */
  file: string | null;
}

export interface PageQuery {
  /** With services, `limit` counts per service; without, over all services merged. */
  services?: string[];
  limit?: number;
  after?: number;
  until?: number;
}

/** Index of the first entry with seq > `seq` (the ring is sorted by seq). */
function upperBound(ring: RingBuffer<StoredLine>, seq: number): number {
  let lo = 0;
  let hi = ring.size;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((ring.at(mid) as StoredLine).seq <= seq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The smallest seq x such that at most `limit` lines of `sources` lie in (x, until]; `short` when
 * fewer than `limit` lines are held at all. */
function mergedCut(sources: PageSource[], until: number, limit: number): { cut: number; short: boolean } {
  const ends = sources.map((s) => upperBound(s.ring, until));
  const count = (x: number): number => sources.reduce((n, s, i) => n + ends[i] - Math.min(ends[i], upperBound(s.ring, x)), 0);
  const all = count(0);
  if (all <= limit) return { cut: 0, short: all < limit };
  let lo = 0;
  let hi = until;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (count(mid) <= limit) hi = mid;
    else lo = mid + 1;
  }
  return { cut: lo, short: false };
}

interface Cursor {
  source: PageSource;
  /** The "dropped from memory" line, still to come before the first entry; null when none. */
  marker: LogLine | null;
  markerKey: number;
  index: number;
  end: number;
}

const keyOf = (c: Cursor): number => (c.marker ? c.markerKey : (c.source.ring.at(c.index) as StoredLine).seq);

function droppedLine(s: PageSource, first: StoredLine | undefined, now: number): LogLine {
  const where = s.file ? `; the full log is in ${s.file}` : ' (no log file is kept)';
  return {
    service: s.service,
    stream: 'system',
    ts: first?.line.ts ?? now,
    line: `${s.evicted} older line${s.evicted === 1 ? '' : 's'} dropped from memory${where}`,
    // The number of the newest dropped line: readers that skip numbers they have seen keep it once.
    n: first ? first.line.n - 1 : s.evicted,
  };
}

export function readPage(sources: PageSource[], query: PageQuery, newestSeq: number, budget: number, now: number): LogPage {
  const until = query.until ?? newestSeq;
  const perService = query.services !== undefined;
  let floor = query.after ?? 0;
  // A window with fewer lines held than it asks for (or no limit: everything) reaches back past
  // what memory holds: where lines of it were dropped, a system line says so.
  let mergedShort = true;
  if (!perService && query.limit !== undefined) {
    const { cut, short } = mergedCut(sources, until, query.limit);
    floor = Math.max(floor, cut);
    mergedShort = short;
  }

  const cursors: Cursor[] = [];
  const evicted: Record<string, number> = {};
  for (const source of sources) {
    if (source.evicted > 0) evicted[source.service] = source.evicted;
    const end = upperBound(source.ring, until);
    let index = upperBound(source.ring, floor);
    let short = mergedShort;
    if (perService && query.limit !== undefined) {
      index = Math.max(index, end - query.limit);
      short = end < query.limit;
    }
    const markerKey = Math.min(source.lastEvictedSeq, until);
    const marker = short && index === 0 && source.evicted > 0 && markerKey > floor ? droppedLine(source, source.ring.at(0), now) : null;
    if (marker || index < end) cursors.push({ source, marker, markerKey, index, end });
  }

  const heap = new CursorHeap(cursors);
  const lines: LogLine[] = [];
  let bytes = 0;
  let lastKey = floor;
  for (let top = heap.peek(); top; top = heap.peek()) {
    const key = keyOf(top);
    const line = top.marker ?? (top.source.ring.at(top.index) as StoredLine).line;
    const size = wireSize(line);
    // Never split a page between two items with the same key: the next page starts after it.
    if (lines.length > 0 && bytes + size > budget && key !== lastKey) break;
    lines.push(line);
    bytes += size;
    lastKey = key;
    if (top.marker) top.marker = null;
    else top.index++;
    if (!top.marker && top.index >= top.end) heap.pop();
    else heap.siftDown(0);
  }
  return { lines, next: heap.peek() ? lastKey : null, until, evicted };
}

/** A binary min-heap of cursors by their current key. */
class CursorHeap {
  private readonly items: Cursor[];

  constructor(items: Cursor[]) {
    this.items = items;
    for (let i = (items.length >> 1) - 1; i >= 0; i--) this.siftDown(i);
  }

  peek(): Cursor | undefined {
    return this.items[0];
  }

  pop(): void {
    const last = this.items.pop();
    if (this.items.length > 0 && last) {
      this.items[0] = last;
      this.siftDown(0);
    }
  }

  siftDown(i: number): void {
    const a = this.items;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < a.length && keyOf(a[l]) < keyOf(a[m])) m = l;
      if (r < a.length && keyOf(a[r]) < keyOf(a[m])) m = r;
      if (m === i) return;
      [a[i], a[m]] = [a[m], a[i]];
      i = m;
    }
  }
}
