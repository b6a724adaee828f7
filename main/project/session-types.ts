// Events a ProjectSession emits: the current ServiceManager's CoreEvents, plus project lifecycle.
import type { ProjectEvent } from '../../shared/events.js';
import type { CoreEvent } from '../core/core-events.js';
import type { FileWatch } from './file-watcher.js';
import type { ProjectDraft } from './project-draft.js';
import type { ProjectRuntime } from './project-runtime.js';
import type { RecoveryRecord, RecoveryStore } from './recovery-draft.js';

export type SessionEvent = CoreEvent | { type: 'project'; event: ProjectEvent };

export type SessionListener = (event: SessionEvent) => void;

/**
 * Called before the session takes a file: the host claims the project (the supervisor takes the
 * project's lock and moves its socket there) and returns how to let it go. Throwing (e.g.
 * HarnessError CONFLICT: another supervisor owns it) keeps the current project open.
 */
export type ProjectClaim = (file: string, stateDir: string, project: string | null) => Promise<() => Promise<void> | void>;

export interface StartReport {
  ready: string[];
  failed: Array<{ service: string; reason: string }>;
}

/** What a session holds for its open file. */
export interface OpenFile {
  file: string;
  stateDir: string;
  draft: ProjectDraft;
  runtime: ProjectRuntime | null;
  /** Recovery of leftovers, run once when the runtime is made; starts wait for it. */
  recovered: Promise<void>;
  release: () => Promise<void> | void;
  recovery: RecoveryStore;
  /** An earlier session's unsaved draft, until restored or discarded. */
  offer: RecoveryRecord | null;
  /** The file changed on disk while the draft had unsaved edits. */
  conflict: { at: number; missing: boolean; hash: string } | null;
  watch: FileWatch | null;
}
