// Per-peer event delivery. Log lines are coalesced for a few milliseconds (as VS Code coalesces
// terminal data) and held back when the peer stops acknowledging, so a service flooding its
// output cannot starve control traffic or the UI. Beyond the buffer, the oldest lines are dropped
// and counted: the peer is told how many, never a silent loss.
import type { ApiEventName, LogBatch, LogLine } from '../../shared/events.js';
import { logLineWireSize } from '../../shared/wire.js';

export interface EventSessionOptions {
  /** Coalescing window for log lines. */
  flushMs?: number;
  /** Stop sending when this many lines are unacknowledged … */
  highWatermark?: number;
  /** … and resume when acknowledgements bring it below this. */
  lowWatermark?: number;
  /** Lines held while paused; beyond it the oldest are dropped and counted. */
  maxBuffered?: number;
  /** Largest batch sent at once, in lines … */
  maxBatch?: number;
  /** … and in (estimated) bytes: 5000 lines of 64 KiB would be a 320 MB message. */
  maxBatchBytes?: number;
}

export class EventSession {
  private readonly flushMs: number;
  private readonly high: number;
  private readonly low: number;
  private readonly maxBuffered: number;
  private readonly maxBatch: number;
  private readonly maxBatchBytes: number;
  private buffer: LogLine[] = [];
  private head = 0;
  private dropped: Record<string, number> = {};
  private unacked = 0;
  private paused = false;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  private sentLines = 0;
  private droppedTotal = 0;

  constructor(
    private readonly send: (event: ApiEventName, payload: unknown) => void,
    options: EventSessionOptions = {},
  ) {
    this.flushMs = options.flushMs ?? 5;
    this.high = options.highWatermark ?? 20_000;
    this.low = options.lowWatermark ?? 5_000;
    this.maxBuffered = options.maxBuffered ?? 100_000;
    this.maxBatch = options.maxBatch ?? 5_000;
    this.maxBatchBytes = options.maxBatchBytes ?? 2 * 1024 * 1024;
  }

  push(event: ApiEventName, payload: unknown): void {
    if (this.closed) return;
    if (event === 'logs') {
      for (const line of (payload as LogBatch).lines) this.enqueue(line);
      this.schedule();
      return;
    }
    // Keep causality: lines logged before a status change arrive before it.
    this.flush();
    this.send(event, payload);
  }

  ack(lines: number): void {
    this.unacked = Math.max(0, this.unacked - lines);
    if (this.paused && this.unacked <= this.low) {
      this.paused = false;
      this.schedule();
    }
  }

  stats(): { buffered: number; unacked: number; paused: boolean; sent: number; dropped: number } {
    return {
      buffered: this.buffer.length - this.head,
      unacked: this.unacked,
      paused: this.paused,
      sent: this.sentLines,
      dropped: this.droppedTotal,
    };
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.buffer = [];
    this.head = 0;
  }

  private enqueue(line: LogLine): void {
    this.buffer.push(line);
    if (this.buffer.length - this.head > this.maxBuffered) {
      const old = this.buffer[this.head++];
      this.dropped[old.service] = (this.dropped[old.service] ?? 0) + 1;
      this.droppedTotal++;
    }
    // Compact the array occasionally instead of shifting on every drop.
    if (this.head > 50_000 && this.head * 2 > this.buffer.length) {
      this.buffer = this.buffer.slice(this.head);
      this.head = 0;
    }
  }

  private schedule(): void {
    if (this.timer || this.paused || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flush();
    }, this.flushMs);
  }

  private flush(): void {
    if (this.closed) return;
    while (!this.paused && this.head < this.buffer.length) {
      const room = Math.min(this.maxBatch, this.high - this.unacked);
      if (room <= 0) {
        this.paused = true;
        break;
      }
      let end = this.head;
      const last = Math.min(this.buffer.length, this.head + room);
      for (let bytes = 0; end < last; end++) {
        bytes += logLineWireSize(this.buffer[end]);
        if (bytes > this.maxBatchBytes && end > this.head) break;
      }
      const lines = this.buffer.slice(this.head, end);
      this.head += lines.length;
      const batch: LogBatch = { lines };
      if (Object.keys(this.dropped).length > 0) {
        batch.dropped = this.dropped;
        this.dropped = {};
      }
      this.unacked += lines.length;
      this.sentLines += lines.length;
      this.send('logs', batch);
    }
    if (this.head === this.buffer.length) {
      this.buffer = [];
      this.head = 0;
      if (Object.keys(this.dropped).length > 0 && !this.paused) {
        this.send('logs', { lines: [], dropped: this.dropped } satisfies LogBatch);
        this.dropped = {};
      }
    }
  }
}
