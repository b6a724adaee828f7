// The ProjectSnapshot of an open file: the draft's services (those that load and those that do
// not, in file order), each with its live state, what saved changes wait to be applied, and the
// draft's history, conflict and recovery status.
import type { InvalidServiceSummary, ProjectSnapshot, ServiceSummary } from '../../shared/api.js';
import { TARGET_TYPES, type ProjectConfig, type TargetType } from '../../shared/config-types.js';
import type { ServiceState } from '../../shared/service-state.js';
import { rawServices } from '../config/raw-services.js';
import { pendingChanges } from './apply-plan.js';
import type { ProjectDraft } from './project-draft.js';
import type { ProjectRuntime } from './project-runtime.js';

const RUNNING = new Set(['starting', 'running', 'healthy', 'unhealthy', 'stopping']);

/** Running, or about to run again (an exit its restart policy may answer): such a service keeps
 * the config it was started with until applied. */
export function isActiveState(state: ServiceState | undefined, config: ProjectConfig | undefined): boolean {
  if (!state) return false;
  if (RUNNING.has(state.status)) return true;
  if (state.status !== 'exited') return false;
  const policy = config?.services.find((s) => s.name === state.name)?.restart.policy;
  return policy !== undefined && policy !== 'no';
}

export function stoppedState(name: string, type: ServiceState['type']): ServiceState {
  return { name, type, status: 'stopped', restarts: 0, updatedAt: Date.now() };
}

export interface SnapshotInput {
  file: string;
  draft: ProjectDraft;
  runtime: ProjectRuntime | null;
  seq: number;
  conflict: ProjectSnapshot['conflict'];
  recovery: ProjectSnapshot['recovery'];
}

export function buildSnapshot(input: SnapshotInput): ProjectSnapshot {
  const { draft, runtime } = input;
  const current = draft.current;
  const saved = draft.disk.loaded.config;
  const applied = runtime?.config;
  const active = (name: string) => isActiveState(runtime?.state(name), applied);
  const pending = applied && saved ? pendingChanges(applied, saved, active) : { changed: [], removed: [] };
  const changed = new Set(pending.changed);
  const raw = rawServices(current.document);
  const stateOf = (name: string, type: TargetType) => runtime?.state(name) ?? stoppedState(name, type);

  const services: ServiceSummary[] = [];
  const invalid: InvalidServiceSummary[] = [];
  const seen = new Set<string>();
  const parsed = current.partial?.services ?? [];
  for (const p of parsed) {
    // A duplicate name is a problem of the file; the graph shows the first entry of that name.
    if (seen.has(p.name)) continue;
    seen.add(p.name);
    if (p.config) {
      services.push({
        config: p.config,
        state: stateOf(p.name, p.config.target.type),
        raw: raw.get(p.name),
        path: p.path,
        index: p.index,
        ...(changed.has(p.name) ? { changed: true } : {}),
      });
      continue;
    }
    const r = raw.get(p.name);
    const t = (r?.target as { type?: unknown } | undefined)?.type;
    const type = (TARGET_TYPES as readonly unknown[]).includes(t) ? (t as TargetType) : null;
    invalid.push({ name: p.name, path: p.path, index: p.index, type, dependencies: p.dependencies, raw: r, state: stateOf(p.name, type ?? 'Process') });
  }

  const inSaved = new Set(saved?.services.map((s) => s.name) ?? []);
  const pendingRemoval = (applied?.services ?? [])
    .filter((s) => !seen.has(s.name) && active(s.name))
    .map((s) => ({ state: stateOf(s.name, s.target.type), saved: !inSaved.has(s.name) }));

  return {
    file: input.file,
    project: current.config?.name ?? current.partial?.name ?? null,
    dirty: draft.dirty,
    services,
    problems: current.problems,
    seq: input.seq,
    invalid,
    pendingRemoval,
    revision: draft.revision,
    history: { canUndo: draft.canUndo, canRedo: draft.canRedo, undo: draft.undoLabel, redo: draft.redoLabel },
    conflict: input.conflict,
    recovery: input.recovery,
    savedInvalid: saved === null,
  };
}
