// Writes the one form of a package archive that leaves this machine: plain ustar entries (pax only
// for names ustar cannot hold), directories before what they hold, regular files, relative
// symlinks, owner 0:0 with no names, and nothing else. The remote `tar` then reads only what was
// checked here, whatever its own reading of odd archives would have been.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { constants as zlibConstants, createGzip } from 'node:zlib';
import { pack as tarPack, type Pack } from 'tar-stream';
import { ancestors } from './archive-paths.js';
import type { EntryBody } from './archive-reader.js';

export type Compression = 'none' | 'gzip';

export interface CanonicalWriterOptions {
  /** Default 'none': gzip runs at about 25 MB/s on incompressible data here, slower than the link. */
  compression?: Compression;
  /** zlib level for 'gzip' (default 6). */
  gzipLevel?: number;
}

export interface WrittenArchive {
  file: string;
  compression: Compression;
  /** Bytes of the file written. */
  bytes: number;
  /** sha256 of the file written, hex: what a transfer is verified against. */
  sha256: string;
  /** Bytes and sha256 of the tar stream itself: the package's identity, whatever the compression. */
  tarBytes: number;
  tarSha256: string;
  /** Entries written, implicit parent directories included. */
  entries: number;
}

function hashing(): Transform & { bytes: number; hash: ReturnType<typeof createHash> } {
  const t = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      t.bytes += chunk.length;
      t.hash.update(chunk);
      cb(null, chunk);
    },
  }) as Transform & { bytes: number; hash: ReturnType<typeof createHash> };
  t.bytes = 0;
  t.hash = createHash('sha256');
  return t;
}

const EPOCH = new Date(0);

type EntryHeader = Parameters<Pack['entry']>[0];

export class CanonicalTarWriter {
  private readonly pack: Pack = tarPack();
  private readonly tarHash = hashing();
  private readonly fileHash = hashing();
  private readonly done: Promise<void>;
  private failure: unknown = null;
  private readonly dirs = new Set<string>();
  private entries = 0;
  private closed = false;

  private constructor(readonly dest: string, private readonly compression: Compression, gzipLevel: number) {
    const out = createWriteStream(dest, { flags: 'wx', mode: 0o600 });
    const stages: Array<NodeJS.ReadableStream | Writable> = [this.pack as unknown as NodeJS.ReadableStream, this.tarHash];
    if (compression === 'gzip') stages.push(createGzip({ level: gzipLevel, memLevel: zlibConstants.Z_DEFAULT_MEMLEVEL }));
    stages.push(this.fileHash, out);
    this.pack.on('error', () => undefined);
    this.done = pipeline(stages as unknown as [NodeJS.ReadableStream, NodeJS.WritableStream]);
    this.done.catch((err) => {
      this.failure ??= err;
    });
  }

  /** Creates `file` (which must not exist) and returns a writer into it. */
  static create(file: string, opts: CanonicalWriterOptions = {}): CanonicalTarWriter {
    return new CanonicalTarWriter(file, opts.compression ?? 'none', opts.gzipLevel ?? 6);
  }

  async directory(path: string): Promise<void> {
    await this.parents(path);
    if (this.dirs.has(path)) return;
    this.dirs.add(path);
    await this.entry({ name: `${path}/`, type: 'directory', mode: 0o755, mtime: EPOCH });
  }

  async file(path: string, mode: number, mtime: number, size: number, body: EntryBody | Buffer): Promise<void> {
    await this.parents(path);
    await this.entry({ name: path, type: 'file', mode, size, mtime: new Date(mtime * 1000) }, body);
  }

  async symlink(path: string, target: string, mtime: number): Promise<void> {
    await this.parents(path);
    await this.entry({ name: path, type: 'symlink', linkname: target, mode: 0o777, mtime: new Date(mtime * 1000) });
  }

  /** Ends the archive and waits until the file is written. */
  async finish(): Promise<WrittenArchive> {
    this.closed = true;
    this.pack.finalize();
    await this.done;
    return {
      file: this.dest,
      compression: this.compression,
      bytes: this.fileHash.bytes,
      sha256: this.fileHash.hash.digest('hex'),
      tarBytes: this.tarHash.bytes,
      tarSha256: this.tarHash.hash.digest('hex'),
      entries: this.entries,
    };
  }

  /** Stops writing and removes the file. */
  async abort(): Promise<void> {
    this.closed = true;
    this.pack.destroy(new Error('aborted'));
    await this.done.catch(() => undefined);
    await rm(this.dest, { force: true });
  }

  private async parents(path: string): Promise<void> {
    for (const dir of ancestors(path)) {
      if (this.dirs.has(dir)) continue;
      this.dirs.add(dir);
      await this.entry({ name: `${dir}/`, type: 'directory', mode: 0o755, mtime: EPOCH });
    }
  }

  private async entry(header: EntryHeader, body?: EntryBody | Buffer): Promise<void> {
    if (this.closed) throw new Error('the canonical archive is already finished');
    if (this.failure) throw this.failure;
    this.entries++;
    const written = new Promise<void>((resolve, reject) => {
      const sink = this.pack.entry(header, (err) => (err ? reject(err) : resolve()));
      // Its failure arrives through the callback; an 'error' without a listener would be thrown.
      sink.on('error', () => undefined);
      if (body === undefined) return;
      if (Buffer.isBuffer(body)) {
        sink.end(body);
        return;
      }
      void (async () => {
        try {
          for await (const chunk of body) {
            if (!sink.write(chunk)) await new Promise<void>((r) => sink.once('drain', () => r()));
          }
          sink.end(undefined);
        } catch (err) {
          sink.destroy(err as Error);
          reject(err);
        }
      })();
    });
    // A failed write of the file (disk full) ends the pipeline, not the entry: wait for either.
    await Promise.race([written, this.done.then(() => undefined)]);
    if (this.failure) throw this.failure;
  }
}
