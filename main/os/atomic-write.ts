// Atomic file replacement: temp file in the same directory, fsync, rename, fsync the directory.
// On any failure the temp file is removed and the target is left exactly as it was. A target that
// is a symbolic link is written through: the file it points to is replaced, in its own directory,
// and the link stays a link (editors and dotfile managers keep services.yaml behind links).
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

export interface AtomicWriteOptions {
  /** Refuse when the target exists (uses a hard link so the check and the creation are one step). */
  exclusive?: boolean;
  /** Mode for a new file; an existing file keeps its own mode and owner. Default 0644. */
  mode?: number;
  /** fsync the file and its directory (default). `false` keeps only the rename's atomicity, for
   * files that matter only while the machine stays up. */
  durable?: boolean;
}

export async function writeFileAtomic(file: string, data: string | Buffer, opts: AtomicWriteOptions = {}): Promise<void> {
  const durable = opts.durable ?? true;
  const target = await resolveLinks(file);
  const dir = path.dirname(target);
  const tmp = path.join(dir, `.${path.basename(target)}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
  let mode = opts.mode ?? 0o644;
  let owner: { uid: number; gid: number } | null = null;
  if (!opts.exclusive) {
    try {
      const st = await fs.stat(target);
      mode = st.mode & 0o7777;
      owner = { uid: st.uid, gid: st.gid };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  let created = false;
  try {
    const fh = await fs.open(tmp, 'wx', mode);
    created = true;
    try {
      await fh.writeFile(data);
      // The umask may have narrowed the mode at creation; the original mode is what we keep.
      await fh.chmod(mode);
      if (owner) await fh.chown(owner.uid, owner.gid).catch(() => undefined); // only root may give a file away
      if (durable) await fh.sync();
    } finally {
      await fh.close();
    }
    if (opts.exclusive) {
      // link() fails with EEXIST instead of replacing, unlike rename().
      await fs.link(tmp, target);
      await fs.unlink(tmp);
    } else {
      await fs.rename(tmp, target);
    }
    created = false;
    if (durable) await syncDir(dir);
  } catch (err) {
    if (created) await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
}

/** The file a chain of symbolic links ends at (`file` itself when it is no link or missing). */
async function resolveLinks(file: string): Promise<string> {
  const abs = path.resolve(file);
  try {
    if (!(await fs.lstat(abs)).isSymbolicLink()) return abs;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return abs;
    throw err;
  }
  try {
    return await fs.realpath(abs);
  } catch (err) {
    const link = await fs.readlink(abs).catch(() => '?');
    throw Object.assign(new Error(`${file} is a symbolic link to ${link}, which cannot be followed: ${(err as Error).message}`), {
      code: (err as NodeJS.ErrnoException).code,
    });
  }
}

async function syncDir(dir: string): Promise<void> {
  // Makes the rename durable; some filesystems refuse fsync on a directory, which is harmless.
  let fh: fs.FileHandle | undefined;
  try {
    fh = await fs.open(dir, 'r');
    await fh.sync();
  } catch {
    /* best effort */
  } finally {
    await fh?.close();
  }
}
