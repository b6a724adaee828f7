// Names and labels that tie engine objects to a Harness project, as Compose's labels do. The labels
// are the source of truth after a restart of the core: `recover` finds containers by them.
import { createHash } from 'node:crypto';

export const LABEL_PROJECT = 'dev.harness.project';
export const LABEL_SERVICE = 'dev.harness.service';
export const LABEL_CONFIG_HASH = 'dev.harness.config-hash';
export const LABEL_FILE = 'dev.harness.file';

/** Docker object names allow [a-zA-Z0-9][a-zA-Z0-9_.-]*; project and service names already fit
 * after the loader's sanitising, this keeps anything else from reaching the engine. */
function safe(part: string): string {
  return part.replace(/[^A-Za-z0-9_.-]/g, '-');
}

export function containerName(project: string, service: string): string {
  return `harness-${safe(project)}-${safe(service)}`;
}

export function networkName(project: string): string {
  return `harness-${safe(project)}`;
}

/** Named volumes are scoped to the project (Compose does the same with `<project>_<name>`). */
export function volumeName(project: string, name: string): string {
  return `harness-${safe(project)}-${safe(name)}`;
}

export function projectFilter(project: string): { label: string[] } {
  return { label: [`${LABEL_PROJECT}=${project}`] };
}

/** JSON with object keys sorted, so the hash does not depend on key order in the YAML. */
export function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

export function configHash(normalised: unknown): string {
  return createHash('sha256').update(stableStringify(normalised)).digest('hex');
}
