// The session's view of the config layer (main/config/), in one place.
import { resolve } from 'node:path';
import type { ConfigEdit } from '../../shared/api.js';
import { HarnessError } from '../../shared/errors.js';
import { applyEdits, createProjectFile, loadProject, saveDocument, type ConfigDocument, type LoadResult } from '../config/index.js';

/** A document with its config, problems and what could be read of a file with errors. */
export type Loaded = LoadResult;

export function loadConfig(path: string, env: NodeJS.ProcessEnv): Promise<Loaded> {
  return loadProject(path, { env });
}

export function applyConfigEdits(document: ConfigDocument, edits: ConfigEdit[]): Loaded {
  if (!document.doc) throw new HarnessError('CONFIG_INVALID', `${document.file} could not be parsed, so it cannot be edited`);
  return applyEdits(document, edits);
}

/** Saves atomically; resolves with the absolute path written. */
export async function saveConfig(document: ConfigDocument, path: string): Promise<string> {
  const target = resolve(path);
  await saveDocument(document, target);
  return target;
}

export function createConfigFile(path: string): Promise<void> {
  return createProjectFile(resolve(path));
}
