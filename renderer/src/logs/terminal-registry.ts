// Every log terminal lives here, outside React: panes ask for one and get its element moved in.
// Log lines go straight from the client's `logs` event into terminals; React never sees them.
// Writes are batched to once per animation frame, and the core is acknowledged from xterm's write
// callback on the merged "All" terminal, so a slow terminal slows the sender instead of piling up.
// xterm itself loads on first need (log-terminal.ts): lines that come earlier wait in the
// terminals' queues, and so do their acks.
import type { LogBatch, LogLine } from '../../../shared/events';
import { ALL_TAB } from '../stores/ui-store';
import { droppedMarker, formatLine } from './log-format';
import { DARK_THEME, LIGHT_THEME, LogTerminal } from './log-terminal';

export interface RegistryDeps {
  ack(lines: number): void;
  history(service: string | undefined, limit: number): Promise<LogLine[]>;
}

export interface DeliveryStats {
  lines: number;
  bytes: number;
  /** FNV-1a over every delivered line's text plus '\n', per service. */
  checksum: Record<string, number>;
  linesPerService: Record<string, number>;
  dropped: Record<string, number>;
}

const HISTORY_LIMIT = 5000;
const PREFIX_MIN = 8;

function fnv1a(hash: number, text: string): number {
  let h = hash;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  h ^= 10;
  return Math.imul(h, 0x01000193) >>> 0;
}

export class TerminalRegistry {
  private readonly terms = new Map<string, LogTerminal>();
  private timestamps = false;
  private dark = true;
  private scheduled = false;
  private unackedInFrame = 0;
  private prefixWidth = PREFIX_MIN;
  private readonly stats: DeliveryStats = { lines: 0, bytes: 0, checksum: {}, linesPerService: {}, dropped: {} };

  constructor(private readonly deps: RegistryDeps) {
    this.get(ALL_TAB);
  }

  get(key: string): LogTerminal {
    let t = this.terms.get(key);
    if (!t) {
      t = new LogTerminal(key, this.dark ? DARK_THEME : LIGHT_THEME, () => this.schedule());
      this.terms.set(key, t);
      if (key !== ALL_TAB) void this.replay(t);
    }
    return t;
  }

  has(key: string): boolean {
    return this.terms.has(key);
  }

  setServices(names: string[]): void {
    this.prefixWidth = Math.min(24, Math.max(PREFIX_MIN, ...names.map((n) => n.length)));
  }

  push(batch: LogBatch): void {
    const all = this.terms.get(ALL_TAB)!;
    for (const l of batch.lines) {
      this.count(l);
      this.deliver(all, l);
      const own = this.terms.get(l.service);
      if (own) this.deliver(own, l);
    }
    for (const [service, count] of Object.entries(batch.dropped ?? {})) {
      this.stats.dropped[service] = (this.stats.dropped[service] ?? 0) + count;
      const marker = droppedMarker(service, count, 'the view fell behind');
      all.enqueue(marker);
      this.terms.get(service)?.enqueue(marker);
    }
    this.unackedInFrame += batch.lines.length;
    this.schedule();
  }

  /** Writes a line unless the terminal already has it (history and live overlap after a replay). */
  private deliver(t: LogTerminal, l: LogLine): void {
    if (t.loading) {
      t.held.push(l);
      return;
    }
    if (l.n <= (t.lastN.get(l.service) ?? 0)) return;
    t.lastN.set(l.service, l.n);
    t.enqueue(formatLine(l, t.key === ALL_TAB ? { timestamps: this.timestamps, prefixWidth: this.prefixWidth } : { timestamps: this.timestamps }));
  }

  private count(l: LogLine): void {
    this.stats.lines++;
    this.stats.bytes += l.line.length + 1;
    this.stats.linesPerService[l.service] = (this.stats.linesPerService[l.service] ?? 0) + 1;
    this.stats.checksum[l.service] = fnv1a(this.stats.checksum[l.service] ?? 0x811c9dc5, l.line);
  }

  deliveryStats(): DeliveryStats {
    return structuredClone(this.stats);
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // rAF pauses in hidden windows; the timeout keeps logs (and acks) moving there too.
    const timer = setTimeout(() => this.flush(), 100);
    requestAnimationFrame(() => {
      clearTimeout(timer);
      this.flush();
    });
  }

  private flush(): void {
    if (!this.scheduled) return;
    this.scheduled = false;
    const lines = this.unackedInFrame;
    this.unackedInFrame = 0;
    for (const [key, t] of this.terms) {
      if (key === ALL_TAB) {
        if (!t.isFollowing) {
          this.deps.ack(lines);
          t.flush();
        } else {
          t.flush(() => this.deps.ack(lines));
        }
      } else {
        t.flush();
      }
    }
  }

  /** Fills a service terminal from the core's history, then lets live lines continue after it. */
  private async replay(t: LogTerminal): Promise<void> {
    const service = t.key === ALL_TAB ? undefined : t.key;
    t.loading = true;
    try {
      const lines = await this.deps.history(service, HISTORY_LIMIT);
      t.loading = false;
      for (const l of lines) this.deliver(t, l);
    } catch {
      t.enqueue('\x1b[33m[harness] log history unavailable\x1b[0m\r\n');
    } finally {
      t.loading = false;
      const held = t.held;
      t.held = [];
      for (const l of held) this.deliver(t, l);
      this.schedule();
    }
  }

  /** Toggling timestamps re-renders every terminal from history, so old lines match new ones. */
  setTimestamps(on: boolean): void {
    if (on === this.timestamps) return;
    this.timestamps = on;
    for (const t of this.terms.values()) {
      t.reset();
      void this.replay(t);
    }
  }

  setDark(dark: boolean): void {
    this.dark = dark;
    for (const t of this.terms.values()) t.setTheme(dark ? DARK_THEME : LIGHT_THEME);
  }

  /** After a reconnect the core's history is the truth; lines missed meanwhile come from it. */
  resync(): void {
    for (const t of this.terms.values()) {
      t.reset();
      void this.replay(t);
    }
  }

  dispose(): void {
    for (const t of this.terms.values()) t.dispose();
    this.terms.clear();
  }
}
