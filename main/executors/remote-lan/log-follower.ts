// Following a remote run's stdout.log and stderr.log by byte offset over the host's one SFTP
// session. The watch reports the files' sizes; whatever lies between the offset handed over so far
// and the size is read and handed to the log store — whole lines only (a partial line waits for its
// newline, unless it grew past `maxPartial`), so an offset never falls inside a line. After a
// reconnect, or in a later supervisor (the offsets are persisted), reading resumes at the offset
// reached: no line is lost or repeated.
import type { RemoteFiles, RemoteReadHandle } from '../../ssh/index.js';

export type LogStreamName = 'stdout' | 'stderr';
export type Offsets = Record<LogStreamName, number>;

export interface LogFollowerOptions {
  files: RemoteFiles;
  /** The run directory. */
  dir: string;
  offsets: Offsets;
  /** Bytes read and complete up to a line end (or the end of the run). */
  deliver(stream: LogStreamName, chunk: Buffer): void;
  /** Called after each delivery with the new offsets (to persist them). */
  advanced(offsets: Offsets): void;
  /** A line without its newline is delivered once this long. Default 64 KiB (the log store's). */
  maxPartial?: number;
  /** Bytes per read. Default 1 MiB. */
  readSize?: number;
}

interface StreamState {
  name: LogStreamName;
  offset: number;
  /** Size the watch last reported. */
  size: number;
  handle: RemoteReadHandle | null;
  reading: Promise<void> | null;
  /** Sizes changed while a read was under way: read again after it. */
  again: boolean;
  /** The run ended: deliver everything, partial last line included. */
  final: boolean;
}

export class LogFollower {
  private readonly streams: Record<LogStreamName, StreamState>;
  private closed = false;
  private readonly maxPartial: number;
  private readonly readSize: number;

  constructor(private readonly opts: LogFollowerOptions) {
    const make = (name: LogStreamName): StreamState => ({ name, offset: opts.offsets[name], size: opts.offsets[name], handle: null, reading: null, again: false, final: false });
    this.streams = { stdout: make('stdout'), stderr: make('stderr') };
    this.maxPartial = opts.maxPartial ?? 64 * 1024;
    this.readSize = opts.readSize ?? 1024 * 1024;
  }

  get offsets(): Offsets {
    return { stdout: this.streams.stdout.offset, stderr: this.streams.stderr.offset };
  }

  /** New sizes from the watch: reads what was added (in the background). */
  update(sizes: Partial<Offsets>): void {
    if (this.closed) return;
    for (const s of Object.values(this.streams)) {
      const size = sizes[s.name];
      if (size === undefined) continue;
      s.size = size;
      this.pump(s);
    }
  }

  /** The run ended with the logs at these sizes: reads and delivers all of it, then closes. */
  async finish(sizes: Partial<Offsets>): Promise<void> {
    for (const s of Object.values(this.streams)) {
      s.final = true;
      if (sizes[s.name] !== undefined) s.size = sizes[s.name]!;
    }
    // A read may fail (connection lost): one more try each, then what was not read is lost with it.
    for (let attempt = 0; attempt < 2; attempt++) {
      await Promise.all(Object.values(this.streams).map((s) => this.pump(s)));
      if (Object.values(this.streams).every((s) => s.offset >= s.size)) break;
    }
    await this.close();
  }

  /** The connection dropped: handles are dead; the next update opens them again. */
  suspend(): void {
    for (const s of Object.values(this.streams)) s.handle = null;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(Object.values(this.streams).map(async (s) => {
      await s.reading?.catch(() => undefined);
      const h = s.handle;
      s.handle = null;
      await h?.close();
    }));
  }

  private pump(s: StreamState): Promise<void> {
    s.again = true;
    s.reading ??= (async () => {
      while (s.again) {
        s.again = false;
        try {
          await this.readLoop(s);
        } catch {
          // Connection lost mid-read: resumed from the same offset by the next update.
          s.handle = null;
          return;
        }
      }
    })().finally(() => {
      s.reading = null;
    });
    return s.reading;
  }

  private async readLoop(s: StreamState): Promise<void> {
    for (let round = 0; round < 10_000; round++) {
      if (s.size < s.offset) s.offset = 0; // truncated under us (not by Harness): start over
      const want = Math.min(this.readSize, s.size - s.offset);
      if (want <= 0) return;
      if (!s.handle?.alive) s.handle = await this.opts.files.openRead(`${this.opts.dir}/${s.name}.log`);
      const data = await s.handle.read(s.offset, want);
      if (data.length === 0) return;
      let take = data.length;
      const lastPiece = s.offset + data.length >= s.size;
      if (!s.final && lastPiece) {
        const nl = data.lastIndexOf(0x0a);
        // A partial line waits for its newline, unless it is already as long as the store allows.
        if (nl >= 0) take = nl + 1;
        else if (data.length < this.maxPartial) return;
      }
      if (this.closed && !s.final) return;
      s.offset += take;
      this.opts.deliver(s.name, data.subarray(0, take));
      this.opts.advanced(this.offsets);
      if (take < data.length) return;
    }
  }
}
