// Finding processes by a variable in their environment (/proc/<pid>/environ), as Compose finds
// containers by label: a process that was never recorded anywhere (its supervisor was killed in
// the instant after the fork) still carries the marker it was started with, and so do its
// children, whatever group or session they moved to.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { readProcStat, isLiveState, type ProcStat } from './proc-stat.js';

export interface MarkedProcess {
  stat: ProcStat;
  /** The process's environment, parsed. */
  env: Map<string, string>;
}

/**
 * Live processes of the current user whose environment holds `name=value` exactly. A process
 * whose environ cannot be read (another user's, gone in between) is skipped. The raw bytes are
 * searched first, so only matching processes are parsed.
 */
export function findProcessesByEnv(name: string, value: string): MarkedProcess[] {
  const needle = Buffer.from(`${name}=${value}\0`);
  const uid = process.getuid?.();
  const out: MarkedProcess[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return out; // no /proc: nothing can be found
  }
  for (const entry of entries) {
    const c = entry.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    let raw: Buffer;
    try {
      if (uid !== undefined && uid !== 0 && statSync(`/proc/${entry}`).uid !== uid) continue;
      raw = readFileSync(`/proc/${entry}/environ`);
    } catch {
      continue;
    }
    if (!startsOrContains(raw, needle)) continue;
    const stat = readProcStat(pid);
    if (!stat || !isLiveState(stat.state)) continue;
    out.push({ stat, env: parseEnviron(raw) });
  }
  return out;
}

/** True when `needle` (ending in NUL) is one whole entry of the NUL-separated `raw`. */
function startsOrContains(raw: Buffer, needle: Buffer): boolean {
  for (let at = raw.indexOf(needle); at >= 0; at = raw.indexOf(needle, at + 1)) {
    if (at === 0 || raw[at - 1] === 0) return true;
  }
  return false;
}

export function parseEnviron(raw: Buffer): Map<string, string> {
  const env = new Map<string, string>();
  for (const item of raw.toString('utf8').split('\0')) {
    const eq = item.indexOf('=');
    if (eq > 0) env.set(item.slice(0, eq), item.slice(eq + 1));
  }
  return env;
}
