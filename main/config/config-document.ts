// What the loader hands back besides the config: the parsed YAML (comments, order and formatting
// intact) plus what is needed to re-validate it after edits.
import type { Document } from 'yaml';
import type { ConfigProblem, ProjectConfig } from '../../shared/config-types.js';
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
}
