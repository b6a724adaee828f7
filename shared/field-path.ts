// Field paths as the loader spells them in problems (`services[2].target.args[0]`,
// `services.api.health_check.port`). The loader builds its paths with `childPath`; editors render
// the FieldPath of a form field with `fieldPathText` and match problems against it, so the two
// can never disagree on the spelling.
import type { FieldPath } from './api.js';

/** `parent` extended by one map key (`.key`) or list index (`[i]`). */
export function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return parent === '' ? key : `${parent}.${key}`;
}

/** A field of a service entry: `entryPath` is the entry's own path (`services[2]`, `services.api`). */
export function fieldPathText(entryPath: string, path: FieldPath): string {
  return path.reduce<string>((acc, k) => childPath(acc, k), entryPath);
}

/** The path of a service entry: list form by its index, map form by its name. */
export function servicePath(form: 'list' | 'map', index: number, name: string): string {
  return form === 'list' ? childPath('services', index) : childPath('services', name);
}

/** `path` is `field` or a field under it (`services.api.target` covers `services.api.target.env.A`). */
export function pathCovers(field: string, path: string): boolean {
  return path === field || path.startsWith(`${field}.`) || path.startsWith(`${field}[`);
}
