// `<stateDir>/spawns.ndjson`: one line per local process, appended synchronously the moment it is
// spawned, before anything else happens in that tick. processes.json is written a few
// milliseconds behind the spawn (it must not delay dependents, see state-record.ts); a supervisor
// SIGKILLed inside that window would otherwise leave processes no file mentions. Not fsynced, for
// the same reason as processes.json: it guards against a dead supervisor, not a dead machine.
//
//   {"service":"api","pid":4242,"pgid":4242,"startTime":123456,"bootId":"…","binary":"node"}
//
// Readers treat every line like a processes.json entry (same safety rules: boot id, start time).
// The journal is rewritten (compacted) synchronously, so no append can fall between the snapshot
// and the rename.
import { appendFileSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProcessStateEntry } from './process-state.js';

export const SPAWN_JOURNAL_FILE = 'spawns.ndjson';

export interface SpawnRecord extends ProcessStateEntry {
  service: string;
}

export function spawnJournalPath(stateDir: string): string {
  return join(stateDir, SPAWN_JOURNAL_FILE);
}

/** Appends one record; synchronous on purpose (see above). Throws when the write fails. */
export function appendSpawn(stateDir: string, record: SpawnRecord): void {
  appendFileSync(spawnJournalPath(stateDir), `${JSON.stringify(record)}\n`, { mode: 0o600 });
}

/** Every well-formed record, oldest first; a torn last line (killed mid-write) is skipped. */
export function readSpawnJournal(stateDir: string): SpawnRecord[] {
  let text: string;
  try {
    text = readFileSync(spawnJournalPath(stateDir), 'utf8');
  } catch {
    return [];
  }
  const out: SpawnRecord[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    try {
      const r = JSON.parse(line) as Partial<SpawnRecord>;
      const pidOk = (n: unknown): boolean => Number.isInteger(n) && (n as number) > 1;
      if (typeof r.service === 'string' && pidOk(r.pid) && pidOk(r.pgid) && Number.isFinite(r.startTime) && typeof r.bootId === 'string') {
        out.push({ service: r.service, pid: r.pid!, pgid: r.pgid!, startTime: r.startTime!, bootId: r.bootId!, binary: String(r.binary ?? '') });
      }
    } catch {
      // a torn or foreign line: the environment markers still find its process
    }
  }
  return out;
}

/** Replaces the journal with `keep` (the records still worth keeping), in one synchronous step. */
export function compactSpawnJournal(stateDir: string, keep: readonly SpawnRecord[]): void {
  const file = spawnJournalPath(stateDir);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, keep.map((r) => `${JSON.stringify(r)}\n`).join(''), { mode: 0o600 });
  renameSync(tmp, file);
}
