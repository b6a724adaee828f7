// Atomic file replacement: temp file in the same directory, fsync, rename, fsync the directory.
// On any failure the temp file is removed and the target is left exactly as it was.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

export interface AtomicWriteOptions {
  /** Refuse when the target exists (uses a hard link so the check and the creation are one step). */
  exclusive?: boolean;
  /** Mode for a new file; an existing file keeps its own. */
  mode?: number;
}

export async function writeFileAtomic(file: string, data: string | Buffer, opts: AtomicWriteOptions = {}): Promise<void> {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
  let mode = opts.mode ?? 0o644;
  if (!opts.exclusive) {
    try {
      mode = (await fs.stat(file)).mode & 0o7777;
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
      await fh.sync();
    } finally {
      await fh.close();
    }
    if (opts.exclusive) {
      // link() fails with EEXIST instead of replacing, unlike rename().
      await fs.link(tmp, file);
      await fs.unlink(tmp);
    } else {
      await fs.rename(tmp, file);
    }
    created = false;
    await syncDir(dir);
  } catch (err) {
    if (created) await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw err;
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
