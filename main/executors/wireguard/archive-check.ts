// Checks a package archive here, before anything is sent, and writes its canonical form: the
// archive that is actually transferred and extracted by the host's `tar`. tar-stream only parses;
// every protection (names, types, links, collisions, bounds) is ArchiveTree's, and the canonical
// archive holds nothing the checks did not see, so a parser differential with the remote `tar`
// has nothing to work with.
import { createReadStream, createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { basename } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { HarnessError } from '../../../shared/errors.js';
import { archiveLimits, type ArchiveLimits } from './archive-limits.js';
import { memberPath } from './archive-paths.js';
import { readArchive, type EntryBody, type ReadSummary } from './archive-reader.js';
import { ArchiveRejected, MemberProblem } from './archive-rejection.js';
import { ArchiveTree, type CheckedMember } from './archive-tree.js';
import { CanonicalTarWriter, type CanonicalWriterOptions, type WrittenArchive } from './canonical-writer.js';

/** The optional manifest at the root of a package (docs/packages.md). */
export const MANIFEST_NAME = 'harness-package.json';

export interface CheckedArchive {
  /** The archive as named in messages. */
  archive: string;
  /** Members in archive order, the release directory itself (`./`) left out. */
  members: CheckedMember[];
  /** Size, unpacked size, compression and sha256 of the file as given. */
  source: ReadSummary;
  /** Bytes of file data once extracted (hardlinks count as the copies they become). */
  fileBytes: number;
  /** Text of `harness-package.json` when the root holds one as a regular file within the bound. */
  manifest?: string;
  /** The manifest is larger than `maxManifestBytes` (it is not read). */
  manifestTooLarge?: boolean;
  /** What was changed rather than refused (setuid bits dropped). */
  notes: string[];
}

export interface CheckOptions {
  limits?: Partial<ArchiveLimits>;
  signal?: AbortSignal;
  /** How the archive is named in messages (default: its file name). */
  displayName?: string;
  /** Bytes of the archive file read so far, per chunk read (callers throttle). */
  onProgress?: (bytesRead: number, totalBytes: number) => void;
}

export interface CanonicalArchive {
  checked: CheckedArchive;
  written: WrittenArchive;
}

async function collect(body: EntryBody): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of body) parts.push(Buffer.from(c));
  return Buffer.concat(parts);
}

function rejection(err: unknown, archive: string): unknown {
  return err instanceof MemberProblem ? err.toRejection(archive) : err;
}

/** One pass over the archive: every member checked; with a writer, each accepted member written
 * as it arrives except hardlinks, which are returned to be written as copies afterwards. */
async function pass(file: string, limits: ArchiveLimits, opts: CheckOptions, writer: CanonicalTarWriter | null) {
  const tree = new ArchiveTree(limits);
  let manifest: string | undefined;
  let manifestTooLarge = false;
  const source = await readArchive(
    file,
    limits,
    async (header, body) => {
      const m = tree.add(header);
      if (!m) return;
      const isManifest = m.path === MANIFEST_NAME && m.type === 'file';
      if (isManifest && m.size > limits.maxManifestBytes) manifestTooLarge = true;
      let data: Buffer | undefined;
      if (isManifest && !manifestTooLarge) {
        data = await collect(body);
        manifest = data.toString('utf8');
      }
      if (!writer) return;
      if (m.type === 'directory') await writer.directory(m.path);
      else if (m.type === 'symlink') await writer.symlink(m.path, m.target as string, m.mtime);
      else if (m.type === 'file') await writer.file(m.path, m.mode, m.mtime, m.size, data ?? body);
    },
    opts.signal,
    opts.onProgress,
  );
  tree.finish();
  const fileBytes = tree.members.reduce((n, m) => n + (m.type === 'file' || m.type === 'hardlink' ? m.size : 0), 0);
  const checked: CheckedArchive = {
    archive: '',
    members: tree.members,
    source,
    fileBytes,
    ...(manifest !== undefined ? { manifest } : {}),
    ...(manifestTooLarge ? { manifestTooLarge } : {}),
    notes: tree.notes,
  };
  return checked;
}

/** Checks the archive without writing anything. Rejects with ArchiveRejected (member and rule). */
export async function checkArchive(file: string, opts: CheckOptions = {}): Promise<CheckedArchive> {
  const archive = opts.displayName ?? basename(file);
  try {
    const checked = await pass(file, archiveLimits(opts.limits), opts, null);
    return { ...checked, archive };
  } catch (err) {
    throw rejection(err, archive);
  }
}

/**
 * Checks the archive and writes its canonical form to `dest` (which must not exist) in the same
 * pass; a second pass runs only for archives with hardlinks, to copy their files. On any
 * rejection or failure `dest` is removed.
 */
export async function canonicalizeArchive(file: string, dest: string, opts: CheckOptions & CanonicalWriterOptions = {}): Promise<CanonicalArchive> {
  const archive = opts.displayName ?? basename(file);
  const limits = archiveLimits(opts.limits);
  const writer = CanonicalTarWriter.create(dest, opts);
  const spools: string[] = [];
  try {
    const checked = { ...(await pass(file, limits, opts, writer)), archive };
    const hardlinks = checked.members.filter((m) => m.type === 'hardlink');
    if (hardlinks.length > 0) await writeHardlinkCopies(file, dest, limits, opts.signal, checked, hardlinks, writer, spools);
    const written = await writer.finish();
    return { checked, written };
  } catch (err) {
    await writer.abort();
    throw rejection(err, archive);
  } finally {
    await Promise.all(spools.map((s) => rm(s, { force: true })));
  }
}

/** Reads the archive again for the files hardlinks name, keeps each in a spool file beside
 * `dest`, then appends one regular file per hardlink. */
async function writeHardlinkCopies(
  file: string,
  dest: string,
  limits: ArchiveLimits,
  signal: AbortSignal | undefined,
  checked: CheckedArchive,
  hardlinks: CheckedMember[],
  writer: CanonicalTarWriter,
  spools: string[],
): Promise<void> {
  const wanted = new Set(hardlinks.map((h) => h.target as string));
  const spooled = new Map<string, string>();
  const again = await readArchive(
    file,
    limits,
    async (header, body) => {
      if (header.type !== 'file' && header.type !== 'contiguous-file') return;
      const path = memberPath(header.name, limits);
      if (path === null || !wanted.has(path) || spooled.has(path)) return;
      const spool = `${dest}.link-${spooled.size}`;
      spools.push(spool);
      spooled.set(path, spool);
      await pipeline(Readable.from(body), createWriteStream(spool, { flags: 'wx', mode: 0o600 }));
    },
    signal,
  );
  if (again.sha256 !== checked.source.sha256) {
    throw new HarnessError('CONFLICT', `${checked.archive} changed while it was being checked; try again once it is written completely`);
  }
  for (const h of hardlinks) {
    const spool = spooled.get(h.target as string);
    if (!spool) throw new ArchiveRejected({ archive: checked.archive, rule: 'hardlink-target', member: h.name, detail: `target ${JSON.stringify(h.target)} was not found again` });
    await writer.file(h.path, h.mode, h.mtime, h.size, createReadStream(spool));
  }
}
