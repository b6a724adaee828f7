// Processes recorded in a project's processes.json that still run although no supervisor does
// (the supervisor was SIGKILLed). Read-only: `harness ps` reports them, `harness down` stops them.
import { readProcessState } from '../state/process-state.js';
import { bootId, isLiveState, listGroupMembers, readProcStat } from '../os/proc-stat.js';

export interface Leftover {
  service: string;
  pid: number;
  pgid: number;
  /** Live processes of the recorded group (the leader included when alive). */
  pids: number[];
}

export async function findLeftovers(stateDir: string): Promise<Leftover[]> {
  const { entries } = await readProcessState(stateDir);
  const found: Leftover[] = [];
  for (const [service, e] of Object.entries(entries)) {
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
  return found;
}
