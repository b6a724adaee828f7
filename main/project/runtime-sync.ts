// Bringing the runtime in line with the saved file (the rules are in apply-plan.ts): a reconcile
// after every save or reload never restarts anything; an apply first stops the services it
// restarts (dependents first, bounded by their grace periods) so the caller can start them again
// outside its queue, without waiting there for them to become ready.
import { dirname } from 'node:path';
import type { ProjectConfig } from '../../shared/config-types.js';
import { HarnessError } from '../../shared/errors.js';
import { dependencyClosure, dependencyMap } from '../../shared/graph/closures.js';
import { defaultProjectName } from '../config/index.js';
import { disposeExecutors, type ExecutorRegistry } from '../executors/registry.js';
import { mixConfig, pendingChanges, sameProject } from './apply-plan.js';
import type { ProjectRuntime } from './project-runtime.js';
import { isActiveState } from './session-snapshot.js';

/** Every service that is not running (and those in `force`) takes the saved config; a forced
 * running service gone from the file is stopped. */
export async function reconcileRuntime(runtime: ProjectRuntime, saved: ProjectConfig, force: ReadonlySet<string> | 'all' = new Set()): Promise<void> {
  const applied = runtime.config;
  const next = mixConfig(applied, saved, (n) => isActiveState(runtime.state(n), applied), force);
  if (sameProject(next, applied) && next.file === applied.file) return;
  const change = await runtime.setProject(next);
  if (change.report.failed.length > 0) {
    const why = change.report.failed.map((f) => `${f.service}: ${f.reason}`).join('; ');
    throw new HarnessError('UNAVAILABLE', `applying failed: ${why}`, change.report);
  }
}

/** Stops the forced running services whose saved config differs (dependents first), then
 * reconciles; returns those to start again and those stopped for good. */
export async function prepareApply(runtime: ProjectRuntime, saved: ProjectConfig, force: ReadonlySet<string> | 'all'): Promise<{ restart: string[]; stopped: string[] }> {
  const applied = runtime.config;
  const forced = (n: string) => force === 'all' || force.has(n);
  const pending = pendingChanges(applied, saved, (n) => isActiveState(runtime.state(n), applied));
  const restart = pending.changed.filter(forced);
  const stopped = pending.removed.filter(forced);
  // Dependents first: a service's dependency closure is larger than that of each dependency.
  const deps = dependencyMap(applied.services);
  const order = [...restart].sort((a, b) => dependencyClosure(b, deps).length - dependencyClosure(a, deps).length);
  for (const n of order) await runtime.manager.stopService(n);
  await reconcileRuntime(runtime, saved, force);
  return { restart, stopped };
}

/** A file without a valid config still gets its leftovers cleaned: each executor recovers against
 * a project with no services, so nothing is adopted and leftovers whose output died with their
 * supervisor are stopped (containers stay, as their recovery says). Returns the lines to log. */
export async function recoverWithoutConfig(executors: () => ExecutorRegistry, file: string, stateDir: string): Promise<string[]> {
  const registry = executors();
  const empty: ProjectConfig = { name: defaultProjectName(dirname(file)), file, dir: dirname(file), services: [] };
  const lines: string[] = [];
  try {
    for (const executor of new Set(registry.values())) {
      const report = await executor.recover?.(empty, stateDir).catch((err: Error) => ({ cleaned: [`${executor.type}: leftover cleanup failed: ${err.message}`] }));
      lines.push(...(report?.cleaned ?? []));
    }
  } finally {
    await disposeExecutors(registry);
  }
  return lines;
}
