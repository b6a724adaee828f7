// Processes of a project that still run although no supervisor does (the supervisor was
// SIGKILLed): recorded in processes.json or the spawn journal, or found by their environment
// markers. Read-only: `harness ps` reports them, `harness down` stops them.
import { findProcessesByEnv } from '../os/proc-environ.js';
import { bootId, isLiveState, listGroupMembers, readProcStat } from '../os/proc-stat.js';
import { MARKER_PROJECT_ID, MARKER_REMOTE, MARKER_SERVICE, projectIdOf } from '../state/markers.js';
import { readProcessState } from '../state/process-state.js';
import { readSpawnJournal } from '../state/spawn-journal.js';

export interface Leftover {
  service: string;
  pid: number;
  pgid: number;
  /** Live processes of the recorded group (the leader included when alive). */
  pids: number[];
}

export async function findLeftovers(stateDir: string): Promise<Leftover[]> {
  const { entries } = await readProcessState(stateDir);
  const records = Object.entries(entries);
  const known = new Set(records.map(([, e]) => e.pid));
  for (const r of readSpawnJournal(stateDir)) {
    if (!known.has(r.pid)) {
      known.add(r.pid);
      records.push([r.service, r]);
    }
  }
  const found: Leftover[] = [];
  for (const [service, e] of records) {
    if (e.bootId !== bootId()) continue;
    const leader = readProcStat(e.pid);
    // Same rules as the cleanup: a pid with another start time was recycled and is not ours.
    if (leader && leader.startTime !== e.startTime) continue;
    const pids = listGroupMembers(e.pgid)
      .filter((p) => p.startTime >= e.startTime)
      .map((p) => p.pid);
    if (leader && isLiveState(leader.state) && !pids.includes(leader.pid)) pids.unshift(leader.pid);
    if (pids.length > 0) found.push({ service, pid: e.pid, pgid: e.pgid, pids });
  }
  const listed = new Set(found.flatMap((l) => l.pids));
  for (const p of findProcessesByEnv(MARKER_PROJECT_ID, projectIdOf(stateDir))) {
    if (listed.has(p.stat.pid) || p.env.has(MARKER_REMOTE)) continue;
    const service = p.env.get(MARKER_SERVICE) ?? '?';
    const group = found.find((l) => l.service === service && l.pgid === p.stat.pgid);
    if (group) group.pids.push(p.stat.pid);
    else found.push({ service, pid: p.stat.pid, pgid: p.stat.pgid, pids: [p.stat.pid] });
  }
  return found;
}
