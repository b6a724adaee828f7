// Events a ProjectSession emits: the current ServiceManager's CoreEvents, plus project lifecycle.
import type { ProjectEvent } from '../../shared/events.js';
import type { CoreEvent } from '../core/core-events.js';

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
