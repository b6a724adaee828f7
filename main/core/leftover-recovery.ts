// Recovery at start-up: every executor looks for what an earlier supervisor of the project left
// (state files, labels) and hands back instances to adopt or lines saying what it cleaned up.
// The manager decides whether a service can take an instance; the rest is logged here.
import type { ProjectConfig } from '../../shared/config-types.js';
import type { LogStore } from '../logs/log-store.js';
import type { RunningInstance, ServiceExecutor } from './executor.js';

export interface RecoveryTarget {
  executors: Iterable<ServiceExecutor>;
  project: ProjectConfig;
  stateDir: string;
  logs: LogStore;
  /** Where lines about no service of the project go. */
  fallbackLog: string;
  /** Whether `name` is a service of the project (its lines are logged under it). */
  has(name: string): boolean;
  /** Takes the instance over; false when the service cannot (unknown, or already running). */
  adopt(name: string, instance: RunningInstance): boolean;
}

export async function recoverLeftovers(t: RecoveryTarget): Promise<{ adopted: string[]; cleaned: string[] }> {
  const adopted: string[] = [];
  const cleaned: string[] = [];
  for (const executor of t.executors) {
    if (!executor.recover) continue;
    let report;
    try {
      report = await executor.recover(t.project, t.stateDir);
    } catch (err) {
      t.logs.system(t.fallbackLog, `recovery of ${executor.type} services failed: ${(err as Error).message}`);
      continue;
    }
    // Adopted as each executor answers, so one slow engine does not hold back the others' services.
    for (const [name, instance] of report.adopted) {
      if (t.adopt(name, instance)) adopted.push(name);
      else t.logs.system(t.fallbackLog, `${name}: left a running instance ${instance.id} that this project no longer describes`);
    }
    for (const line of report.cleaned) {
      cleaned.push(line);
      const owner = line.split(':', 1)[0];
      t.logs.system(t.has(owner) ? owner : t.fallbackLog, line);
    }
  }
  return { adopted, cleaned };
}
