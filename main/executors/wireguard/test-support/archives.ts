// Archives for the checker's tests, built byte by byte with tar-stream's packer (which writes
// whatever name or link it is given, as an attacker's tool would), with raw headers for what no
// packer writes, and with GNU tar for the encodings real archives use (GNU long names, pax).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { pack as tarPack } from 'tar-stream';

export interface TestEntry {
  name: string;
  type?: 'file' | 'directory' | 'symlink' | 'link' | 'character-device' | 'block-device' | 'fifo';
  linkname?: string;
  data?: string | Buffer;
  mode?: number;
  mtime?: Date;
  pax?: Record<string, string>;
}

const MTIME = new Date(Date.UTC(2024, 0, 2, 3, 4, 5));

/** A tar stream of these entries, in order, exactly as given. */
export async function tarOf(entries: TestEntry[]): Promise<Buffer> {
  const p = tarPack();
  const chunks: Buffer[] = [];
  const done = new Promise<void>((resolve, reject) => {
    p.on('data', (c: unknown) => { chunks.push(Buffer.from(c as Uint8Array)); });
    p.on('end', () => resolve());
    p.on('error', reject);
  });
  for (const e of entries) {
    const type = e.type ?? 'file';
    const data = type === 'file' ? Buffer.from(e.data ?? `content of ${e.name}\n`) : undefined;
    const header = {
      name: e.name,
      type,
      mode: e.mode ?? (type === 'directory' ? 0o755 : type === 'symlink' ? 0o777 : 0o644),
      mtime: e.mtime ?? MTIME,
      ...(e.linkname !== undefined ? { linkname: e.linkname } : {}),
      ...(e.pax ? { pax: e.pax } : {}),
    };
    await new Promise<void>((resolve, reject) => {
      if (data) p.entry(header, data, (err) => (err ? reject(err) : resolve()));
      else {
        p.entry(header, (err) => (err ? reject(err) : resolve()));
      }
    });
  }
  p.finalize();
  await done;
  return Buffer.concat(chunks);
}

/** One 512-byte ustar header with any type flag (tar-stream's packer knows only the usual ones). */
export function rawHeader(name: string, typeflag: string, size = 0, linkname = ''): Buffer {
  const b = Buffer.alloc(512, 0);
  b.write(name, 0, 100, 'utf8');
  b.write('0000644\0', 100);
  b.write('0000000\0', 108);
  b.write('0000000\0', 116);
  b.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
  b.write(`${Math.floor(MTIME.getTime() / 1000).toString(8).padStart(11, '0')}\0`, 136);
  b.write('        ', 148);
  b.write(typeflag, 156);
  b.write(linkname, 157, 100, 'utf8');
  b.write('ustar\0', 257);
  b.write('00', 263);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += b[i];
  b.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return b;
}

/** Raw blocks (headers and padded data) plus the end-of-archive marker. */
export function rawTar(blocks: Buffer[]): Buffer {
  const padded = blocks.map((b) => (b.length % 512 === 0 ? b : Buffer.concat([b, Buffer.alloc(512 - (b.length % 512))])));
  return Buffer.concat([...padded, Buffer.alloc(1024)]);
}

export class ArchiveDir {
  private n = 0;
  private constructor(readonly dir: string) {}

  static async create(): Promise<ArchiveDir> {
    return new ArchiveDir(await mkdtemp(join(tmpdir(), 'hx-archives-')));
  }

  /** Writes the archive (gzip-compressed unless told otherwise) and returns its path. */
  async write(content: Buffer | TestEntry[], opts: { gzip?: boolean; name?: string } = {}): Promise<string> {
    const tar = Buffer.isBuffer(content) ? content : await tarOf(content);
    const gzip = opts.gzip ?? true;
    const file = join(this.dir, opts.name ?? `a${++this.n}.tar${gzip ? '.gz' : ''}`);
    await writeFile(file, gzip ? gzipSync(tar) : tar);
    return file;
  }

  path(name: string): string {
    return join(this.dir, name);
  }

  async dispose(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}
