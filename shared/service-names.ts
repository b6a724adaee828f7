// The one check of service names a caller gives (start, stop, restart, logs) and its one
// NOT_FOUND message. The project session checks at its door, with a "did you mean" from the
// config's suggestions; the ServiceManager keeps the same check for callers that drive the core
// directly (tests, benches), so whichever speaks, the message reads the same.
import { HarnessError } from './errors.js';

/** Past this many, the message lists the first ones and says how many there are. */
const LISTED = 20;

/** A " (did you mean "x"?)" for `name` among `known`, or the empty string. */
export type NameSuggester = (name: string, known: readonly string[]) => string;

/** The services a check looks names up in: a Set of names, or a Map keyed by name. */
export interface KnownServices {
  has(name: string): boolean;
  keys(): Iterable<string>;
}

/** Throws NOT_FOUND for the first of `names` that is not one of `known` (the services of `file`). */
export function checkServiceNames(names: Iterable<string>, known: KnownServices, file: string, suggest?: NameSuggester): void {
  for (const name of names) {
    if (!known.has(name)) throw unknownService(name, [...known.keys()], file, suggest);
  }
}

export function unknownService(name: string, known: readonly string[], file: string, suggest?: NameSuggester): HarnessError {
  const hint = suggest?.(name, known) ?? '';
  const listed = known.length > LISTED ? `${known.slice(0, LISTED).join(', ')}, … (${known.length} in all)` : known.join(', ');
  const services = known.length === 0 ? 'the file defines no services' : `the file defines: ${listed}`;
  return new HarnessError('NOT_FOUND', `unknown service "${name}" in ${file}${hint}; ${services}`, { service: name, file });
}
