// `harness pack`: a folder → a package archive in the canonical form (canonical-writer.ts), so
// the same folder always gives the same bytes (names in byte order, one fixed mtime, owner 0:0),
// and the deployer's own canonicalization of it changes nothing.
import { createReadStream } from 'node:fs';
import { lstat, readdir, readlink, rename, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { HarnessError } from '../../../shared/errors.js';
import { archiveLimits, type ArchiveLimits } from './archive-limits.js';
import { symlinkTarget } from './archive-paths.js';
import { MemberProblem } from './archive-rejection.js';
import { CanonicalTarWriter, type WrittenArchive } from './canonical-writer.js';
import { PACKAGE_FILES } from './package-format.js';

/** 1980-01-01T00:00:00Z, zip's epoch, as reproducible-build tools use when no
 * SOURCE_DATE_EPOCH is given. */
export const DEFAULT_PACK_MTIME = 315_532_800;

export interface BuildOptions {
  /** The .tar.gz to write; replaced if it exists. */
  output: string;
  /** mtime of every member, seconds (default: SOURCE_DATE_EPOCH, else DEFAULT_PACK_MTIME). */
  mtime?: number;
  gzipLevel?: number;
  limits?: Partial<ArchiveLimits>;
  env?: NodeJS.ProcessEnv;
  /** Runs on the finished archive (a temporary file beside `output`) before it replaces
   * `output`; when it throws, `output` is left as it was. */
  verify?: (file: string, written: WrittenArchive) => Promise<void>;
}

export function packMtime(env: NodeJS.ProcessEnv = process.env): number {
  const v = env.SOURCE_DATE_EPOCH;
  return v !== undefined && /^\d{1,10}$/.test(v) && Number(v) < 2 ** 31 ? Number(v) : DEFAULT_PACK_MTIME;
}

function byBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** A folder problem a user fixes in the folder: names the path. */
function folderError(path: string, problem: string): HarnessError {
  return new HarnessError('BAD_REQUEST', `${path}: ${problem}`, { path });
}

async function checkStartScript(dir: string): Promise<void> {
  const start = join(dir, PACKAGE_FILES.start);
  let st;
  try {
    st = await lstat(start);
  } catch {
    throw folderError(start, 'missing: a package needs an executable start.sh at its root (docs/packages.md)');
  }
  if (!st.isFile()) throw folderError(start, 'must be a regular file (not a link or a directory)');
  if ((st.mode & 0o100) === 0) throw folderError(start, `not executable; run \`chmod +x ${start}\``);
}

/** Builds the package; the written archive's sha256 (of the file and of its tar stream). */
export async function buildPackage(dir: string, opts: BuildOptions): Promise<WrittenArchive> {
  const root = resolve(dir);
  const rootStat = await stat(root).catch(() => null);
  if (!rootStat?.isDirectory()) throw folderError(root, 'not a directory');
  await checkStartScript(root);
  const limits = archiveLimits(opts.limits);
  const mtime = opts.mtime ?? packMtime(opts.env);
  const output = resolve(opts.output);
  const outStat = await stat(output).catch(() => null);
  const tmp = `${output}.tmp-${process.pid}`;
  await rm(tmp, { force: true });
  const writer = CanonicalTarWriter.create(tmp, { compression: 'gzip', gzipLevel: opts.gzipLevel ?? 6 });
  let entries = 0;
  const walk = async (abs: string, rel: string, depth: number): Promise<void> => {
    const names = (await readdir(abs)).sort(byBytes);
    for (const name of names) {
      const path = join(abs, name);
      const relPath = rel === '' ? name : `${rel}/${name}`;
      const st = await lstat(path);
      // The archive being written (or an older one) inside the folder is not part of it.
      if (path === tmp || (outStat && st.ino === outStat.ino && st.dev === outStat.dev) || path === output) continue;
      if (++entries > limits.maxEntries) throw folderError(root, `more than ${limits.maxEntries} entries`);
      if (depth + 1 > limits.maxDepth) throw folderError(path, `nested deeper than ${limits.maxDepth} levels`);
      if (st.isDirectory()) {
        await writer.directory(relPath);
        await walk(path, relPath, depth + 1);
      } else if (st.isFile()) {
        // Exactly the size seen: a file that shrinks meanwhile fails the entry ('Size mismatch').
        const body = st.size === 0 ? Buffer.alloc(0) : createReadStream(path, { start: 0, end: st.size - 1 });
        await writer.file(relPath, (st.mode & 0o777) | 0o600, mtime, st.size, body);
      } else if (st.isSymbolicLink()) {
        const target = await readlink(path);
        try {
          symlinkTarget(target, relPath, limits);
        } catch (err) {
          if (err instanceof MemberProblem) throw folderError(path, `a symlink to ${JSON.stringify(target)}: links in a package must be relative and stay inside it`);
          throw err;
        }
        await writer.symlink(relPath, target, mtime);
      } else {
        throw folderError(path, 'is a socket, FIFO or device; a package holds files, directories and links only');
      }
    }
  };
  try {
    await walk(root, '', 0);
    const written = await writer.finish();
    await opts.verify?.(tmp, written);
    await rename(tmp, output);
    return { ...written, file: output };
  } catch (err) {
    await writer.abort();
    if ((err as Error).message === 'Size mismatch') throw folderError(root, 'a file changed size while it was packed; pack again');
    throw err;
  }
}
