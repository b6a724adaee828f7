// A package made ready to send: checked, canonicalized, its layout validated, and kept in a local
// cache keyed by the source file's identity (device, inode, size, mtime and ctime in nanoseconds,
// as make and rsync trust them), so an unchanged redeploy does not read a 256 MB archive twice.
import { randomBytes, createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '../../os/atomic-write.js';
import { canonicalizeArchive, type CheckOptions } from './archive-check.js';
import type { CanonicalWriterOptions, WrittenArchive } from './canonical-writer.js';
import { checkPackageLayout, type PackageLayout } from './package-format.js';

export interface PrepareOptions extends CheckOptions, CanonicalWriterOptions {
  /** Owner-only directory for canonical archives and the index (e.g. `<stateDir>/packages`). */
  cacheDir: string;
  /** Canonical archives kept in the cache (default 4). */
  keep?: number;
}

export interface PreparedPackage {
  /** Absolute path of the package as configured. */
  source: string;
  /** sha256 of the source file. */
  sourceSha256: string;
  /** The canonical archive to send; `written.sha256` verifies the transfer, `written.tarSha256`
   * names the content (release ids use it). */
  written: WrittenArchive;
  layout: PackageLayout;
  members: number;
  fileBytes: number;
  /** True when the cache answered without reading the source. */
  cached: boolean;
}

interface IndexEntry {
  version: 1;
  source: string;
  identity: string;
  prepared: Omit<PreparedPackage, 'cached'>;
}

async function identityOf(file: string): Promise<string> {
  const st = await stat(file, { bigint: true });
  return [st.dev, st.ino, st.size, st.mtimeNs, st.ctimeNs].join(':');
}

const extension = (c: CanonicalWriterOptions['compression']) => (c === 'gzip' ? 'tar.gz' : 'tar');

/** Check + canonicalize + layout, or the cached result for an unchanged file. Throws
 * ArchiveRejected or PackageInvalid for a bad package. */
export async function preparePackage(sourcePath: string, opts: PrepareOptions): Promise<PreparedPackage> {
  const source = resolve(sourcePath);
  await mkdir(opts.cacheDir, { recursive: true, mode: 0o700 });
  const compression = opts.compression ?? 'none';
  const key = createHash('sha256').update(`${source}\0${compression}`).digest('hex').slice(0, 16);
  const indexFile = join(opts.cacheDir, `index-${key}.json`);
  const identity = await identityOf(source);
  const hit = await readIndex(indexFile);
  if (hit && hit.identity === identity && hit.source === source) {
    const st = await stat(hit.prepared.written.file).catch(() => null);
    if (st && st.size === hit.prepared.written.bytes) return { ...hit.prepared, cached: true };
  }

  const tmp = join(opts.cacheDir, `tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
  let prepared: Omit<PreparedPackage, 'cached'>;
  try {
    const { checked, written } = await canonicalizeArchive(source, tmp, opts);
    const layout = checkPackageLayout(checked);
    const final = join(opts.cacheDir, `${written.tarSha256}.${extension(compression)}`);
    await rename(tmp, final);
    prepared = {
      source,
      sourceSha256: checked.source.sha256,
      written: { ...written, file: final },
      layout,
      members: checked.members.length,
      fileBytes: checked.fileBytes,
    };
  } finally {
    await rm(tmp, { force: true });
  }
  // The file may have changed while it was read: then the next call reads it again.
  const after = await identityOf(source);
  if (after === identity) {
    const entry: IndexEntry = { version: 1, source, identity, prepared };
    await writeFileAtomic(indexFile, `${JSON.stringify(entry)}\n`, { mode: 0o600, durable: false });
  }
  await prune(opts.cacheDir, opts.keep ?? 4, prepared.written.file);
  return { ...prepared, cached: false };
}

async function readIndex(file: string): Promise<IndexEntry | null> {
  try {
    const v = JSON.parse(await readFile(file, 'utf8')) as IndexEntry;
    return v?.version === 1 && typeof v.identity === 'string' && v.prepared?.written?.file ? v : null;
  } catch {
    return null;
  }
}

/** Keeps the newest `keep` canonical archives (the one just used always) and the index entries
 * that still point at one. */
async function prune(dir: string, keep: number, inUse: string): Promise<void> {
  const names = await readdir(dir);
  const archives = await Promise.all(
    names
      .filter((n) => /^[0-9a-f]{64}\.tar(\.gz)?$/.test(n))
      .map(async (n) => ({ path: join(dir, n), mtime: (await stat(join(dir, n)).catch(() => null))?.mtimeMs ?? 0 })),
  );
  archives.sort((a, b) => b.mtime - a.mtime);
  const keepSet = new Set([inUse, ...archives.slice(0, Math.max(keep, 1)).map((a) => a.path)]);
  for (const a of archives) if (!keepSet.has(a.path)) await rm(a.path, { force: true });
  for (const n of names.filter((x) => /^index-[0-9a-f]{16}\.json$/.test(x))) {
    const entry = await readIndex(join(dir, n));
    if (!entry || !keepSet.has(entry.prepared.written.file)) await rm(join(dir, n), { force: true });
  }
}
