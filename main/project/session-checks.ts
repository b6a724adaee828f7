// What a session refuses before touching the runtime, with messages that say what to do.
import type { ProjectConfig } from '../../shared/config-types.js';
import { HarnessError } from '../../shared/errors.js';
import { unknownService as unknownServiceError } from '../../shared/service-names.js';
import { didYouMean } from '../config/did-you-mean.js';
import { problemSummary } from './problem-summary.js';
import type { OpenFile } from './session-types.js';

/** The saved file's config; CONFIG_INVALID naming its problems when it has errors. */
export function requireSaved(cur: OpenFile): ProjectConfig {
  const saved = cur.draft.disk.loaded.config;
  if (saved) return saved;
  const problems = cur.draft.disk.loaded.problems;
  throw new HarnessError('CONFIG_INVALID', `${cur.file} has problems; fix them (and save) before starting:\n${problemSummary(problems)}`, { problems });
}

export function checkNames(cur: OpenFile, saved: ProjectConfig, names?: string[]): void {
  for (const n of names ?? []) if (!saved.services.some((s) => s.name === n)) throw unknownService(cur, n);
}

/** NOT_FOUND, saying so when the name is only in the unsaved draft. */
export function unknownService(cur: OpenFile, name: string): HarnessError {
  if (cur.draft.current.partial?.services.some((s) => s.name === name)) {
    return new HarnessError('NOT_FOUND', `"${name}" is an unsaved edit: save ${cur.file} (Ctrl+S) before starting it`);
  }
  const known = (cur.draft.disk.loaded.config ?? cur.runtime?.config)?.services.map((s) => s.name) ?? [];
  return unknownServiceError(name, known, cur.file, didYouMean);
}
