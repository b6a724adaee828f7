// Every service's output, as lines: split per (service, stream), timestamped, numbered per
// service, kept in a bounded ring per service (history for late subscribers) and appended to
// `<stateDir>/logs/<service>.log` with size rotation. Listeners see each line as it is made.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { LogLine, LogStream } from '../../shared/events.js';
import { LineSplitter } from './line-splitter.js';
import { RingBuffer } from './ring-buffer.js';
import { RotatingFile } from './rotating-file.js';

export interface LogStoreOptions {
  /** Logs go to `<stateDir>/logs/`; omit for memory only (tests, benchmarks). */
  stateDir?: string;
  /** Lines kept in memory per service. */
  ringSize?: number;
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

interface ServiceLog {
  ring: RingBuffer<LogLine>;
  n: number;
  splitters: Map<LogStream, LineSplitter>;
  file: RotatingFile | null;
}

export class LogStore {
  private readonly services = new Map<string, ServiceLog>();
  private readonly listeners = new Set<LogListener>();
  private readonly ringSize: number;
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
    this.ringSize = options.ringSize ?? 5000;
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

  /** One complete line from the orchestrator itself (or a whole line from elsewhere). */
  system(service: string, line: string): void {
    if (this.closed) return;
    this.emit(service, this.log(service), 'system', line);
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
   * The newest `limit` lines of one service, or of all services merged by time (ties keep
   * per-service order) when `service` is omitted. Oldest first.
   */
  history(service?: string, limit?: number): LogLine[] {
    if (service !== undefined) return this.services.get(service)?.ring.toArray(limit) ?? [];
    const all: LogLine[] = [];
    for (const log of this.services.values()) for (const line of log.ring.toArray(limit)) all.push(line);
    // Array.prototype.sort is stable, so equal timestamps keep their per-service order.
    all.sort((a, b) => a.ts - b.ts);
    return limit === undefined || all.length <= limit ? all : all.slice(all.length - limit);
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
    await Promise.all([...this.services.values()].map((l) => l.file?.flush()));
  }

  /** Flushes partial lines and files; later appends are ignored. */
  async close(): Promise<void> {
    if (this.closed) return;
    for (const [service, log] of this.services) {
      for (const stream of [...log.splitters.keys()]) this.end(service, stream);
    }
    this.closed = true;
    await Promise.all([...this.services.values()].map((l) => l.file?.close()));
    this.listeners.clear();
  }

  private log(service: string): ServiceLog {
    let log = this.services.get(service);
    if (!log) {
      const path = this.filePath(service);
      log = {
        ring: new RingBuffer<LogLine>(this.ringSize),
        n: 0,
        splitters: new Map(),
        file: path
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
    log.ring.push(entry);
    if (log.file) {
      // Formatting a Date is the dominant per-line cost in a flood; lines share milliseconds.
      if (entry.ts !== this.isoTs) {
        this.isoTs = entry.ts;
        this.iso = new Date(entry.ts).toISOString();
      }
      log.file.write(`${this.iso} ${stream} | ${line}\n`);
    }
    for (const listener of this.listeners) {
      try {
        listener(entry);
      } catch {
        // One broken subscriber must not stop the lines reaching the others or the file.
      }
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
