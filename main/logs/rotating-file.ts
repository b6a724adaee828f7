// An append-only log file with size rotation (`x.log` → `x.log.1` → … → `x.log.<keep>`). Writes
// are batched: text is queued and written by one asynchronous drain loop, a few milliseconds
// after the first queued line or at once when the queue is large, so a flood costs one write
// call per batch rather than one per line, and the event loop is never blocked on the disk.
import { open, rename, rm, stat, type FileHandle } from 'node:fs/promises';

export interface RotatingFileOptions {
  maxBytes: number;
  /** Rotated files kept (`.1` … `.keep`); 0 keeps none. */
  keep: number;
  /** Delay before a small batch is written. */
  flushDelayMs?: number;
  /** Queued characters beyond which the oldest queued text is dropped (disk slower than input). */
  maxQueuedChars?: number;
  onError?: (err: Error) => void;
}

const BATCH_CHARS = 1 << 20;

export class RotatingFile {
  private handle: FileHandle | null = null;
  private size = 0;
  /** Small writes accumulate here and are joined into one block of about BATCH_CHARS. */
  private current: string[] = [];
  private currentChars = 0;
  private blocks: string[] = [];
  private blockChars = 0;
  private draining: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  private failed = false;
  /** Characters dropped because the queue was full or the file could not be written. */
  dropped = 0;

  constructor(
    readonly path: string,
    private readonly options: RotatingFileOptions,
  ) {}

  write(text: string): void {
    if (this.closed) return;
    this.current.push(text);
    this.currentChars += text.length;
    if (this.currentChars < BATCH_CHARS) {
      if (!this.timer && !this.draining) {
        this.timer = setTimeout(() => this.kick(), this.options.flushDelayMs ?? 20);
        this.timer.unref?.();
      }
      return;
    }
    this.seal();
    // Whole blocks are dropped (never a per-line shift of a huge array) when the disk lags.
    const max = this.options.maxQueuedChars ?? 64 << 20;
    while (this.blockChars > max && this.blocks.length > 1) {
      const old = this.blocks.shift() as string;
      this.blockChars -= old.length;
      this.dropped += old.length;
    }
    this.kick();
  }

  private seal(): void {
    if (this.current.length === 0) return;
    const block = this.current.join('');
    this.current = [];
    this.currentChars = 0;
    this.blocks.push(block);
    this.blockChars += block.length;
  }

  private get pending(): boolean {
    return this.blocks.length > 0 || this.current.length > 0;
  }


  /** Resolves when everything queued so far is on disk (or dropped after an error). */
  async flush(): Promise<void> {
    while (this.pending || this.draining) {
      this.kick();
      await this.draining;
    }
  }

  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const h = this.handle;
    this.handle = null;
    await h?.close().catch(() => undefined);
  }

  private kick(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.draining || !this.pending) return;
    this.draining = this.drain().finally(() => {
      this.draining = null;
      // Text queued while the last write was in flight.
      if (this.pending && !this.closed) this.kick();
    });
  }

  private async drain(): Promise<void> {
    for (;;) {
      if (this.blocks.length === 0) this.seal();
      const block = this.blocks.shift();
      if (block === undefined) return;
      this.blockChars -= block.length;
      const chars = block.length;
      const data = Buffer.from(block, 'utf8');
      if (this.failed) {
        this.dropped += chars;
        continue;
      }
      try {
        await this.append(data);
      } catch (err) {
        // A full disk or a removed state directory must not take the orchestrator down; the
        // ring buffer still has the lines. Report once, then drop file output.
        this.failed = true;
        this.dropped += chars;
        this.options.onError?.(err as Error);
      }
    }
  }

  private async append(data: Buffer): Promise<void> {
    if (!this.handle) {
      this.handle = await open(this.path, 'a', 0o600);
      this.size = (await stat(this.path)).size;
    }
    if (this.size > 0 && this.size + data.length > this.options.maxBytes) await this.rotate();
    let off = 0;
    while (off < data.length) {
      const { bytesWritten } = await (this.handle as FileHandle).write(data, off, data.length - off);
      off += bytesWritten;
    }
    this.size += data.length;
  }

  private async rotate(): Promise<void> {
    await this.handle?.close();
    this.handle = null;
    const { keep } = this.options;
    if (keep <= 0) {
      await rm(this.path, { force: true });
    } else {
      for (let i = keep - 1; i >= 1; i--) await renameIfExists(`${this.path}.${i}`, `${this.path}.${i + 1}`);
      await renameIfExists(this.path, `${this.path}.1`);
    }
    this.handle = await open(this.path, 'a', 0o600);
    this.size = 0;
  }
}

async function renameIfExists(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
