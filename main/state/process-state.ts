// `<stateDir>/processes.json`: the local processes a supervisor has running, so that a later
// supervisor (or `harness down`/`ps`) can find them after the first one was SIGKILLed.
//
//   { "<service>": { "pid": 4242, "pgid": 4242, "startTime": 123456, "bootId": "…", "binary": "/usr/bin/node" } }
//
// `startTime` is field 22 of /proc/<pid>/stat (clock ticks since boot) and `bootId` is
// /proc/sys/kernel/random/boot_id: together with the pid they identify one process for the life
// of the machine, so a recycled pid is never mistaken for ours. What is done with the entries
// lives in process-leftovers.ts. The file is rewritten atomically (temp + fsync + rename) on every
// start and every removal; writes from one supervisor are serialised through one store.
import { readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../os/atomic-write.js';

export const PROCESS_STATE_FILE = 'processes.json';

export interface ProcessStateEntry {
  pid: number;
  pgid: number;
  startTime: number;
  bootId: string;
  binary: string;
}

export type ProcessStateMap = Record<string, ProcessStateEntry>;

export function processStatePath(stateDir: string): string {
  return join(stateDir, PROCESS_STATE_FILE);
}

function isEntry(v: unknown): v is ProcessStateEntry {
  if (typeof v !== 'object' || v === null) return false;
  const e = v as Record<string, unknown>;
  const pidOk = (n: unknown): boolean => Number.isInteger(n) && (n as number) > 1;
  return pidOk(e.pid) && pidOk(e.pgid) && Number.isFinite(e.startTime) && typeof e.bootId === 'string' && typeof e.binary === 'string';
}

/** Reads the file. Missing → empty. Problems (bad JSON, malformed entries) are returned, not thrown:
 * a damaged state file must not stop `harness down` from cleaning what it can. */
export async function readProcessState(stateDir: string): Promise<{ entries: ProcessStateMap; problems: string[] }> {
  const file = processStatePath(stateDir);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { entries: {}, problems: [] };
    return { entries: {}, problems: [`cannot read ${file}: ${(err as Error).message}`] };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    // Keep the damaged file for inspection; the next write starts a fresh one.
    const kept = `${file}.corrupt-${Date.now()}`;
    await rename(file, kept).catch(() => undefined);
    return { entries: {}, problems: [`${file} is not valid JSON (${(err as Error).message}); moved to ${kept}`] };
  }
  const entries: ProcessStateMap = {};
  const problems: string[] = [];
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { entries, problems: [`${file}: expected an object of services, ignored`] };
  }
  for (const [service, value] of Object.entries(raw)) {
    if (isEntry(value)) entries[service] = value;
    else problems.push(`${file}: entry "${service}" is malformed, ignored`);
  }
  return { entries, problems };
}

export function writeProcessState(stateDir: string, entries: ProcessStateMap): Promise<void> {
  // Not fsynced: the file guards against a dead supervisor, not a dead machine. After a crash or a
  // reboot no recorded process survives, and the boot id marks every entry stale anyway; an fsync
  // per start would sit on the path from "dependency ready" to "dependent spawned".
  return writeFileAtomic(processStatePath(stateDir), `${JSON.stringify(entries, null, 2)}\n`, { mode: 0o600, durable: false });
}

/**
 * The in-memory view of one state directory's file, owned by one supervisor. Loading is lazy and
 * keeps entries left by an earlier supervisor until they are cleaned up explicitly.
 */
export class ProcessStateStore {
  private readonly entries = new Map<string, ProcessStateEntry>();
  private loading: Promise<string[]> | null = null;
  private queue: Promise<void> = Promise.resolve();
  private pending: Promise<void> | null = null;

  constructor(readonly stateDir: string) {}

  /** Idempotent; resolves with the problems found in the file on the first load. */
  load(): Promise<string[]> {
    this.loading ??= readProcessState(this.stateDir).then(({ entries, problems }) => {
      for (const [service, entry] of Object.entries(entries)) {
        if (!this.entries.has(service)) this.entries.set(service, entry);
      }
      return problems;
    });
    return this.loading;
  }

  /**
   * Re-reads the file and adds the entries this store does not know (written by another
   * supervisor process), keeping its own. Used by recovery, which must see everything on disk.
   */
  async refresh(): Promise<string[]> {
    const problems = await this.load();
    await this.queue; // our own pending writes land first, so removed entries are not resurrected
    const { entries, problems: now } = await readProcessState(this.stateDir);
    for (const [service, entry] of Object.entries(entries)) {
      if (!this.entries.has(service)) this.entries.set(service, entry);
    }
    return [...problems, ...now];
  }

  get(service: string): ProcessStateEntry | undefined {
    return this.entries.get(service);
  }

  list(): Array<[string, ProcessStateEntry]> {
    return [...this.entries];
  }

  async set(service: string, entry: ProcessStateEntry): Promise<void> {
    await this.load();
    this.entries.set(service, entry);
    await this.persist();
  }

  /** Removes the entry; with `pid`, only when the entry still describes that process (a newer run
   * of the same service may already have replaced it). */
  async remove(service: string, pid?: number): Promise<void> {
    await this.load();
    const current = this.entries.get(service);
    if (!current || (pid !== undefined && current.pid !== pid)) return;
    this.entries.delete(service);
    await this.persist();
  }

  /**
   * Serialised and coalesced: a write that has not started yet takes every later change with it
   * (it snapshots when it starts), so a burst of 50 stops costs a couple of writes, not 50.
   */
  private persist(): Promise<void> {
    if (this.pending) return this.pending;
    const run = this.queue.then(() => {
      this.pending = null;
      return writeProcessState(this.stateDir, Object.fromEntries(this.entries));
    });
    this.pending = run;
    this.queue = run.catch(() => undefined);
    return run;
  }
}
