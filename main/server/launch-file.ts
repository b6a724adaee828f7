// The page `harness serve --open` opens (as Jupyter does): an owner-only HTML file that redirects
// to the tokenised URL. The browser is started on the file's path, so no command line (of
// xdg-open, of the browser) carries the token: /proc/PID/cmdline is readable by every local user.
// The file lives in $XDG_RUNTIME_DIR/harness (else <state root>/run), mode 0600 in a 0700
// directory of ours, and is removed when serve stops.
import { lstatSync, readdirSync, unlinkSync } from 'node:fs';
import { chmod, lstat, mkdir, open, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { stateRoot } from '../state/paths.js';
import { htmlAttr } from './static-files.js';

export interface LaunchFile {
  readonly path: string;
  /** `file:///…`: what the browser is opened on. */
  readonly url: string;
  /** Removes the file (idempotent). */
  remove(): Promise<void>;
}

/** Candidate directories, most private first. */
export function launchDirs(env: NodeJS.ProcessEnv = process.env): string[] {
  const dirs = [join(stateRoot(env), 'run')];
  if (env.XDG_RUNTIME_DIR) dirs.unshift(join(env.XDG_RUNTIME_DIR, 'harness'));
  return dirs;
}

/** Creates `dir` (0700) or checks that an existing one is a real directory of ours, private. */
async function privateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const st = await lstat(dir);
  const uid = process.getuid?.();
  if (!st.isDirectory()) throw new Error(`${dir} is not a directory (a symlink?); remove it`);
  if (uid !== undefined && st.uid !== uid) throw new Error(`${dir} belongs to uid ${st.uid}, not to you (uid ${uid}); remove it`);
  if ((st.mode & 0o077) !== 0) await chmod(dir, 0o700);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Files of serve processes that are gone (SIGKILLed) hold a dead token: clear them away. */
function removeStale(dir: string): void {
  for (const name of readdirSync(dir)) {
    const m = /^serve-(\d+)\.html$/.exec(name);
    if (!m || Number(m[1]) === process.pid || isAlive(Number(m[1]))) continue;
    try {
      if (lstatSync(join(dir, name)).isFile()) unlinkSync(join(dir, name));
    } catch {
      // gone meanwhile
    }
  }
}

export function launchPage(target: string): string {
  const href = htmlAttr(target);
  return `<!doctype html>
<html><head><meta charset="utf-8">
<meta name="referrer" content="no-referrer">
<meta http-equiv="refresh" content="0;url=${href}">
<title>Harness</title></head>
<body><p>Opening Harness… If nothing happens, <a href="${href}">open Harness</a>.</p>
<p>This file holds the session key of <code>harness serve</code> (pid ${process.pid}). Only you can read it; it is removed when that process stops.</p>
</body></html>
`;
}

/** Writes the launch file redirecting to `target` (the tokenised URL). */
export async function writeLaunchFile(target: string, env: NodeJS.ProcessEnv = process.env): Promise<LaunchFile> {
  const failures: string[] = [];
  for (const dir of launchDirs(env)) {
    try {
      await privateDir(dir);
      removeStale(dir);
      const path = join(dir, `serve-${process.pid}.html`);
      await unlink(path).catch(() => undefined);
      // O_EXCL: never follows a link planted at the path.
      const handle = await open(path, 'wx', 0o600);
      try {
        await handle.chmod(0o600);
        await handle.writeFile(launchPage(target));
      } finally {
        await handle.close();
      }
      return track(path);
    } catch (err) {
      failures.push(`${dir}: ${(err as Error).message}`);
    }
  }
  throw new Error(`cannot write the page that opens the UI (${failures.join('; ')})`);
}

function track(path: string): LaunchFile {
  let removed = false;
  // Also when the process ends some other way than through remove() (an uncaught error).
  const onExit = (): void => {
    try {
      unlinkSync(path);
    } catch {
      // already gone
    }
  };
  process.once('exit', onExit);
  return {
    path,
    url: pathToFileURL(path).href,
    async remove() {
      if (removed) return;
      removed = true;
      process.off('exit', onExit);
      await unlink(path).catch(() => undefined);
    },
  };
}
