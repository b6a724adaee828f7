// renameService: a service's name and every dependency list that names it, as text splices of
// exactly those scalars (so the rest of the file, comments included, stays byte-identical), with
// the same edit through yaml's AST as the fallback. The name is checked first with the loader's
// own messages; what only the whole file can tell (an environment-prefix clash) is checked by
// the caller after re-validating.
import { isMap, isScalar, isSeq, type Document, type Node } from 'yaml';
import type { ConfigEdit } from '../../shared/api.js';
import type { ConfigProblem } from '../../shared/config-types.js';
import { pathCovers } from '../../shared/field-path.js';
import { HarnessError } from '../../shared/errors.js';
import { SERVICE_NAME } from '../../shared/payload-schema.js';
import { findService, mustFindService, serviceNames, type LocatedService } from './service-locator.js';
import { applySplices, inlineScalar, rangeOf, type Splice } from './text-splice.js';
import { duplicateServiceNameMessage, invalidServiceNameMessage } from './validate-graph.js';

export type RenameEdit = Extract<ConfigEdit, { op: 'renameService' }>;

/** 1-based line of `off` in `text`. */
function lineAt(text: string, off: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < off; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/** Where a located service's name is written: the `name:` value (list form) or its key. */
function nameNode(svc: LocatedService): Node | undefined {
  if (svc.form === 'map') return svc.pair?.key as Node | undefined;
  const n = svc.map.get('name', true);
  return isScalar(n) ? n : undefined;
}

/** The loader's message for a name that cannot be given to a service, or null when it can. */
export function nameProblem(text: string, doc: Document, name: string, except?: string): HarnessError | null {
  if (!SERVICE_NAME.test(name)) return new HarnessError('BAD_REQUEST', invalidServiceNameMessage(name));
  if (name === except) return null;
  const taken = findService(doc, name);
  if (!taken) return null;
  const at = rangeOf(nameNode(taken) ?? taken.map)?.[0] ?? 0;
  return new HarnessError('CONFLICT', duplicateServiceNameMessage(name, lineAt(text, at)));
}

function checkRename(text: string, doc: Document, e: RenameEdit): LocatedService {
  const svc = mustFindService(doc, e.name);
  const problem = nameProblem(text, doc, e.to, e.name);
  if (problem) throw problem;
  return svc;
}

/** Dependency-list items naming `name`, service by service. */
function dependencyItems(doc: Document, name: string): Node[] {
  const out: Node[] = [];
  for (const s of new Set(serviceNames(doc))) {
    const deps = findService(doc, s)?.map.get('dependencies', true);
    if (isSeq(deps)) for (const it of deps.items) if (isScalar(it) && it.value === name) out.push(it);
  }
  return out;
}

export function renameSplice(text: string, doc: Document, e: RenameEdit): string | null {
  const svc = checkRename(text, doc, e);
  if (e.to === e.name) return text;
  const to = inlineScalar(e.to);
  const splices: Splice[] = [];
  const targets: Array<Node | undefined> = [nameNode(svc), ...dependencyItems(doc, e.name)];
  // Map form may also spell the name inside the entry (it must equal the key).
  if (svc.form === 'map') targets.push(svc.map.get('name', true) as Node | undefined);
  for (const n of targets) {
    if (n === undefined) continue;
    if (!isScalar(n) || (n.type !== 'PLAIN' && n.type !== 'QUOTE_DOUBLE' && n.type !== 'QUOTE_SINGLE')) return null;
    const r = rangeOf(n);
    if (!r) return null;
    splices.push({ start: r[0], end: r[1], text: to });
  }
  return applySplices(text, splices);
}

export function renameAst(d: Document, e: RenameEdit): void {
  const svc = checkRename(d.toString(), d, e);
  if (e.to === e.name) return;
  for (const it of dependencyItems(d, e.name)) if (isScalar(it)) it.value = e.to;
  if (svc.form === 'map') {
    const key = svc.pair?.key;
    if (isScalar(key)) key.value = e.to;
    else if (svc.pair) svc.pair.key = d.createNode(e.to);
    if (isMap(svc.map) && svc.map.has('name')) svc.map.set('name', e.to);
  } else {
    svc.map.set('name', e.to);
  }
}

/**
 * Errors a rename brought into the file (compared by path and message, paths under the old name
 * read under the new one), e.g. the new name's environment prefix clashing with another service.
 * The rename is refused with them: a rename never makes a valid file invalid.
 */
export function renameRefusal(before: readonly ConfigProblem[], after: readonly ConfigProblem[], renames: readonly RenameEdit[]): string | null {
  const moved = (path: string): string =>
    renames.reduce((p, r) => (pathCovers(`services.${r.name}`, p) ? `services.${r.to}${p.slice(`services.${r.name}`.length)}` : p), path);
  const known = new Set(before.filter((p) => p.severity === 'error').map((p) => `${moved(p.path)}\0${p.message}`));
  const added = after.filter((p) => p.severity === 'error' && !known.has(`${p.path}\0${p.message}`));
  return added.length === 0 ? null : added.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message)).join('; ');
}
