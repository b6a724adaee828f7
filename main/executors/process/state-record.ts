// Writing a process's processes.json record right behind its spawn instead of before start()
// resolves.
//
// What the record is for: a supervisor that is SIGKILLed must leave enough behind for the next
// one to find its process groups. A write that completed (rename done, no fsync: see
// writeProcessState) survives the death of the supervisor, so what matters is how soon after the
// spawn it completes, not whether start() waited for it. Waiting put one or two thread-pool
// writes (queued behind every other start of a burst) between "dependency ready" and "dependent
// spawned"; now start() reports the instance at once and the write lands a few milliseconds later,
// coalesced with the other starts of the same burst by the store. The window in which a SIGKILL
// loses the record is the same length as before (spawn → write done), it just no longer delays
// anything. If the write fails, the process is stopped with SIGKILL and its exit carries the
// reason: a process nobody could find after a crash is never left running.
import type { ExecutorContext } from '../../core/executor.js';
import { processStatePath, type ProcessStateEntry, type ProcessStateStore } from '../../state/process-state.js';
import type { ProcessRun } from './process-run.js';

const inFlight = new WeakMap<ProcessStateStore, Set<Promise<void>>>();

export function recordInBackground(
  store: ProcessStateStore,
  service: string,
  entry: ProcessStateEntry,
  run: ProcessRun,
  ctx: Pick<ExecutorContext, 'log'>,
): void {
  const write: Promise<void> = store.set(service, entry).then(
    () => undefined,
    (err: Error) => {
      const message = `cannot record the process in ${processStatePath(store.stateDir)}: ${err.message}`;
      ctx.log('system', `${message}; stopping it, because a supervisor killed now would leave it behind\n`);
      run.fail(`${service}: ${message}`);
    },
  );
  let pending = inFlight.get(store);
  if (!pending) {
    pending = new Set();
    inFlight.set(store, pending);
  }
  pending.add(write);
  void write.finally(() => pending.delete(write));
}

/** Resolves once every record requested so far is written (or its failure handled). */
export async function flushRecords(store: ProcessStateStore): Promise<void> {
  const pending = inFlight.get(store);
  if (pending && pending.size > 0) await Promise.all([...pending]);
}
