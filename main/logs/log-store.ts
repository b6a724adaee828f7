// Every service's output, as lines: split per (service, stream), timestamped, numbered per
// service, kept in memory for late subscribers (a ring per service, bounded in lines and in
// characters per service and across all services; what falls out is counted) and appended to
// `<stateDir>/logs/<service>.log` with size rotation. Listeners see each line as it is made.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { LogPage } from '../../shared/api.js';
import type { LogLine, LogStream } from '../../shared/events.js';
import { readPage, type PageQuery, type PageSource, type StoredLine } from './history-page.js';
import { LineSplitter } from './line-splitter.js';
import { RingBuffer } from './ring-buffer.js';
import { RotatingFile } from './rotating-file.js';

export interface LogStoreOptions {
  /** Logs go to `<stateDir>/logs/`; omit for memory only (tests, benchmarks). */
  stateDir?: string;
  /** Lines kept in memory per service. */
  ringSize?: number;
  /** Characters of line text kept in memory per service (oldest lines go first). */
  ringChars?: number;
  /** Characters of line text kept in memory across all services: past it, the service holding
   * the most gives up its oldest lines, so one flood does not empty the quiet services' history. */
  totalChars?: number;
  /** Rotate a service's file when it would grow past this. */
  rotateBytes?: number;
  /** Rotated files kept per service. */
  keepFiles?: number;
  /** A line without newline is flushed when it reaches this many characters. */
  maxPartial?: number;
  flushDelayMs?: number;
  now?: () => number;
}

export type LogListener = (line: LogLine) => void;

/** Defaults (docs/cli.md, "Logs in memory"): 5000 lines and 64 MiB of text per service, 128 MiB
 * in all. 64 MiB per service keeps a 50 MB line without newline (800 pieces) whole. */
export const LOG_RING_LINES = 5000;
export const LOG_RING_CHARS = 64 * 1024 * 1024;
export const LOG_TOTAL_CHARS = 128 * 1024 * 1024;
/** A page of history (`logs.page`) holds about this much JSON: well under the 16 MiB a socket
 * client accepts even when escaping makes it several times larger. */
export const LOG_PAGE_BYTES = 2 * 1024 * 1024;

interface ServiceLog extends PageSource {
  ring: RingBuffer<StoredLine>;
  /** Characters held in `ring`. */
  chars: number;
  n: number;
  splitters: Map<LogStream, LineSplitter>;
  writer: RotatingFile | null;
}

export class LogStore {
  private readonly services = new Map<string, ServiceLog>();
  private readonly listeners = new Set<LogListener>();
  private readonly ringSize: number;
  private readonly ringChars: number;
  private readonly totalCharsMax: number;
  private totalChars = 0;
  /** Arrival number of the newest line, across services. */
  private seq = 0;
  private readonly rotateBytes: number;
  private readonly keepFiles: number;
  private readonly maxPartial: number;
  private readonly now: () => number;
  private readonly logDir: string | null;
  private closed = false;
  private isoTs = Number.NaN;
  private iso = '';
  /** Last file error, reported once per service as a system line. */
  private readonly fileErrors = new Set<string>();

  constructor(private readonly options: LogStoreOptions = {}) {
    this.ringSize = options.ringSize ?? LOG_RING_LINES;
    this.ringChars = options.ringChars ?? LOG_RING_CHARS;
    this.totalCharsMax = options.totalChars ?? LOG_TOTAL_CHARS;
    this.rotateBytes = options.rotateBytes ?? 10 * 1024 * 1024;
    this.keepFiles = options.keepFiles ?? 3;
    this.maxPartial = options.maxPartial ?? 64 * 1024;
    this.now = options.now ?? Date.now;
    this.logDir = options.stateDir ? join(options.stateDir, 'logs') : null;
    if (this.logDir) mkdirSync(this.logDir, { recursive: true, mode: 0o700 });
  }

  /** Raw output of a service; complete lines are emitted now, a partial one when it completes.
   * 'system' chunks are complete messages and never wait for a newline. */
  append(service: string, stream: LogStream, chunk: string | Buffer): void {
    if (this.closed) return;
    if (stream === 'system') {
      // System messages are whole messages, with or without a trailing newline.
      for (const line of String(chunk).replace(/\r?\n$/, '').split('\n')) this.system(service, line);
      return;
    }
    const log = this.log(service);
    let splitter = log.splitters.get(stream);
    if (!splitter) {
      splitter = new LineSplitter(this.maxPartial);
      log.splitters.set(stream, splitter);
    }
    splitter.push(chunk, (line) => this.emit(service, log, stream, line));
  }

  /** One complete line from the orchestrator itself (or a whole line from elsewhere). Longer
   * than the partial-line limit, it is split like any other output (every line held is bounded). */
  system(service: string, line: string): void {
    if (this.closed) return;
    const log = this.log(service);
    if (line.length <= this.maxPartial) return this.emit(service, log, 'system', line);
    for (let i = 0; i < line.length; i += this.maxPartial) this.emit(service, log, 'system', line.slice(i, i + this.maxPartial));
  }

  /** The stream ended: a pending partial line is flushed. */
  end(service: string, stream: LogStream): void {
    const log = this.services.get(service);
    const splitter = log?.splitters.get(stream);
    if (!log || !splitter) return;
    log.splitters.delete(stream);
    splitter.end((line) => this.emit(service, log, stream, line));
  }

  onLine(listener: LogListener): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /**
   * The newest `limit` lines of one service, or of all services merged in arrival order when
   * `service` is omitted. Oldest first; a "dropped from memory" system line stands where lines
   * of the window are no longer held. Unbounded in size: a transport uses page().
   */
  history(service?: string, limit?: number): LogLine[] {
    return this.page({ services: service === undefined ? undefined : [service], limit }, Number.POSITIVE_INFINITY).lines;
  }

  /** One page of history of about `budget` bytes of JSON (at least one line); see history-page.ts. */
  page(query: PageQuery, budget = LOG_PAGE_BYTES): LogPage {
    const sources = query.services
      ? [...new Set(query.services)].flatMap((s) => this.services.get(s) ?? [])
      : [...this.services.values()];
    return readPage(sources, query, this.seq, budget, this.now());
  }

  /** Characters of line text held in memory, in all. */
  heldChars(): number {
    return this.totalChars;
  }

  /** Services that have logged anything. */
  serviceNames(): string[] {
    return [...this.services.keys()];
  }

  /** Path of a service's current log file, when files are kept. */
  filePath(service: string): string | null {
    return this.logDir ? join(this.logDir, `${fileSafe(service)}.log`) : null;
  }

  /** Waits until every line so far is on disk. */
  async flush(): Promise<void> {
    await Promise.all([...this.services.values()].map((l) => l.writer?.flush()));
  }

  /** Flushes partial lines and files; later appends are ignored. */
  async close(): Promise<void> {
    if (this.closed) return;
    for (const [service, log] of this.services) {
      for (const stream of [...log.splitters.keys()]) this.end(service, stream);
    }
    this.closed = true;
    await Promise.all([...this.services.values()].map((l) => l.writer?.close()));
    this.listeners.clear();
  }

  private log(service: string): ServiceLog {
    let log = this.services.get(service);
    if (!log) {
      const path = this.filePath(service);
      log = {
        service,
        ring: new RingBuffer<StoredLine>(this.ringSize),
        chars: 0,
        evicted: 0,
        lastEvictedSeq: 0,
        file: path,
        n: 0,
        splitters: new Map(),
        writer: path
          ? new RotatingFile(path, {
              maxBytes: this.rotateBytes,
              keep: this.keepFiles,
              flushDelayMs: this.options.flushDelayMs,
              onError: (err) => this.fileError(service, err),
            })
          : null,
      };
      this.services.set(service, log);
    }
    return log;
  }

  private emit(service: string, log: ServiceLog, stream: LogStream, line: string): void {
    const entry: LogLine = { service, stream, ts: this.now(), line, n: ++log.n };
    this.keep(log, { line: entry, seq: ++this.seq, size: line.length });
    if (log.writer) {
      // Formatting a Date is the dominant per-line cost in a flood; lines share milliseconds.
      if (entry.ts !== this.isoTs) {
        this.isoTs = entry.ts;
        this.iso = new Date(entry.ts).toISOString();
      }
      log.writer.write(`${this.iso} ${stream} | ${line}\n`);
    }
    for (const listener of this.listeners) {
      try {
        listener(entry);
      } catch {
        // One broken subscriber must not stop the lines reaching the others or the file.
      }
    }
  }

  /** Holds a line in memory within the bounds: lines and characters per service, then in all. */
  private keep(log: ServiceLog, stored: StoredLine): void {
    const displaced = log.ring.push(stored);
    log.chars += stored.size;
    this.totalChars += stored.size;
    if (displaced) this.evicted(log, displaced);
    while (log.chars > this.ringChars && log.ring.size > 1) this.evicted(log, log.ring.shift() as StoredLine);
    if (this.totalChars > this.totalCharsMax) this.trimTotal();
  }

  private evicted(log: ServiceLog, gone: StoredLine): void {
    log.chars -= gone.size;
    this.totalChars -= gone.size;
    log.evicted++;
    log.lastEvictedSeq = gone.seq;
  }

  /** Over the total: the service holding the most gives up its oldest lines, down to 15/16 of the
   * bound (so the scan over services is paid once per 1/16 of it, not per line). */
  private trimTotal(): void {
    const target = this.totalCharsMax - (this.totalCharsMax >> 4);
    while (this.totalChars > target) {
      let biggest: ServiceLog | null = null;
      let second = 0;
      for (const log of this.services.values()) {
        if (log.ring.size <= 1) continue; // every service keeps its newest line
        if (!biggest || log.chars > biggest.chars) {
          second = biggest?.chars ?? 0;
          biggest = log;
        } else if (log.chars > second) second = log.chars;
      }
      if (!biggest) return;
      do this.evicted(biggest, biggest.ring.shift() as StoredLine);
      while (this.totalChars > target && biggest.chars >= second && biggest.ring.size > 1);
    }
  }

  private fileError(service: string, err: Error): void {
    if (this.fileErrors.has(service)) return;
    this.fileErrors.add(service);
    this.system(service, `log file ${this.filePath(service)} cannot be written (${err.message}); keeping logs in memory only`);
  }
}

/** Service names are already restricted by the loader; this is defence in depth for paths. */
function fileSafe(name: string): string {
  return name.replace(/[^A-Za-z0-9_.-]/g, '_').replace(/^\.+/, '_');
}
