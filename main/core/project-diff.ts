// What a new configuration changes compared with the services a manager has (for setProject).
import type { ServiceConfig } from '../../shared/config-types.js';

export interface ServiceDiff {
  added: string[];
  removed: string[];
  /** In both, with a different runtime config. */
  changed: string[];
}

export function diffServices(current: ReadonlyMap<string, { readonly config: ServiceConfig }>, next: readonly ServiceConfig[]): ServiceDiff {
  const nextNames = new Set(next.map((s) => s.name));
  return {
    added: next.filter((s) => !current.has(s.name)).map((s) => s.name),
    removed: [...current.keys()].filter((n) => !nextNames.has(n)),
    changed: next.filter((s) => {
      const had = current.get(s.name);
      return had !== undefined && !sameRuntimeConfig(s, had.config);
    }).map((s) => s.name),
  };
}

/** Config equality for setProject; UI hints (positions) never require a restart. */
export function sameRuntimeConfig(a: ServiceConfig, b: ServiceConfig): boolean {
  const strip = ({ ui: _ui, ...rest }: ServiceConfig) => rest;
  return JSON.stringify(strip(a)) === JSON.stringify(strip(b));
}
