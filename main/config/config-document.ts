// What the loader hands back besides the config: the parsed YAML (comments, order and formatting
// intact) plus what is needed to re-validate it after edits.
import type { Document } from 'yaml';
import type { ConfigProblem, ProjectConfig, ServiceConfig } from '../../shared/config-types.js';
import type { Env } from './interpolate.js';

export interface ConfigDocument {
  /** Absolute path of services.yaml. */
  file: string;
  /** The exact text the document was parsed from; saves write this. */
  text: string;
  /** null when the text could not be parsed at all (too large). */
  doc: Document | null;
  /** The variables interpolation used (process env over `.env`). */
  env: Env;
}

export interface LoadResult {
  /** null when there is any error (warnings alone keep the config). */
  config: ProjectConfig | null;
  /** At most LIMITS.maxProblems of them, then a "… and N more problems" line. */
  problems: ConfigProblem[];
  /** Every problem found, listed or not: what a summary line should count. */
  counts: { errors: number; warnings: number };
  document: ConfigDocument;
  /** What could be read even when `config` is null: the project name and every service entry
   * that has a name, in file order. Editors show a file with errors from this. Absent when the
   * file could not be read as a services map at all (YAML syntax errors, wrong top level). */
  partial?: { name: string; services: ParsedService[] };
}

/** One service entry of the file as far as it could be read. */
export interface ParsedService {
  name: string;
  /** The entry's field path as problems spell it: `services[2]` or `services.api`. */
  path: string;
  /** Position in the file's `services` list or map. */
  index: number;
  /** Set when the entry itself has no problems (graph-level ones, such as an unknown dependency,
   * may still be reported at its paths). */
  config?: ServiceConfig;
  /** The names listed under `dependencies`, as read. */
  dependencies: string[];
}
