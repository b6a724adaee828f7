// GNU tar as the tests' independent reader and writer: what the host's `tar` will see of an
// archive, and archives in the encodings real tools produce (GNU long names, pax, ustar).
import { createHash } from 'node:crypto';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';

const ENV = { ...process.env, LC_ALL: 'C.UTF-8', TZ: 'UTC' };

let gnuTarCheck: Promise<string | null> | null = null;

/** Why GNU tar cannot be used here, or null. */
export function gnuTarSkipReason(): Promise<string | null> {
  gnuTarCheck ??= execa('tar', ['--version'], { reject: false }).then((r) =>
    r.exitCode === 0 && r.stdout.includes('GNU tar') ? null : 'GNU tar is not installed',
  );
  return gnuTarCheck;
}

export interface ListedEntry {
  /** 'd', '-', 'l', 'h' (hardlink), ... as `tar -tv` prints the first column. */
  kind: string;
  mode: string;
  path: string;
  target?: string;
  size: number;
}

/** `tar -tvf FILE`, parsed. Names are printed literally (the checker refuses control characters). */
export async function gnuList(file: string): Promise<ListedEntry[]> {
  const r = await execa('tar', ['--quoting-style=literal', '--numeric-owner', '-tvf', file], { env: ENV });
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const m = /^(\S)(\S{9}) \S+\s+(\d+) \d{4}-\d{2}-\d{2} \d{2}:\d{2} (.*)$/.exec(line);
      if (!m) throw new Error(`unexpected tar -tv line: ${line}`);
      let rest = m[4];
      let target: string | undefined;
      let kind = m[1];
      const link = rest.indexOf(' -> ');
      const hard = rest.indexOf(' link to ');
      if (kind === 'l' && link >= 0) {
        target = rest.slice(link + 4);
        rest = rest.slice(0, link);
      } else if (hard >= 0) {
        kind = 'h';
        target = rest.slice(hard + 9);
        rest = rest.slice(0, hard);
      }
      return { kind, mode: m[2], path: rest.replace(/\/$/, ''), ...(target !== undefined ? { target } : {}), size: Number(m[3]) };
    });
}

export async function gnuTar(args: string[], cwd?: string): Promise<void> {
  await execa('tar', args, { env: ENV, ...(cwd ? { cwd } : {}) });
}

export interface TreeEntry {
  type: 'dir' | 'file' | 'symlink';
  mode: number;
  /** sha256 of a file's content, a symlink's target. */
  content?: string;
}

/** Every path under `root` (relative), with type, permission bits and content hash. */
export async function snapshotTree(root: string): Promise<Record<string, TreeEntry>> {
  const out: Record<string, TreeEntry> = {};
  const walk = async (abs: string, rel: string): Promise<void> => {
    for (const name of (await readdir(abs)).sort()) {
      const p = join(abs, name);
      const r = rel ? `${rel}/${name}` : name;
      const st = await lstat(p);
      if (st.isSymbolicLink()) out[r] = { type: 'symlink', mode: 0o777, content: await readlink(p) };
      else if (st.isDirectory()) {
        out[r] = { type: 'dir', mode: st.mode & 0o777 };
        await walk(p, r);
      } else out[r] = { type: 'file', mode: st.mode & 0o777, content: createHash('sha256').update(await readFile(p)).digest('hex') };
    }
  };
  await walk(root, '');
  return out;
}
