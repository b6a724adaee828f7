// setField: one field of a service set or removed in place. The splice touches only the text of
// that field (the rest of the entry keeps its comments, quoting and `${VAR}` references); a splice
// is kept only when the file it produces means exactly what the AST edit means, otherwise the
// caller falls back to the AST edit (comments kept, formatting normalised).
import { Document, isAlias, isMap, isScalar, isSeq, type Node, type Pair, type YAMLMap, type YAMLSeq } from 'yaml';
import { fieldPathProblem, type ConfigEdit, type FieldPath } from '../../shared/api.js';
import { HarnessError } from '../../shared/errors.js';
import { mustFindService } from './service-locator.js';
import { afterLine, applySplices, blockLines, column, dashColumn, inlineScalar, insertLines, lineStart, rangeOf, type Splice } from './text-splice.js';
import { parseYaml } from './yaml-parse.js';

export type SetFieldEdit = Extract<ConfigEdit, { op: 'setField' }>;
type Collection = YAMLMap | YAMLSeq;

/** Where a path lands in a service entry. */
interface FieldTarget {
  /** The deepest existing collection on the path: it holds `key`. */
  parent: Collection;
  /** The map pair whose value is `parent`; undefined for the service's own map and list items. */
  parentPair?: Pair;
  key: string | number;
  /** Map parent: the existing pair for `key`. */
  pair?: Pair;
  /** parent[key] exists (a pair, or a list index below the length). */
  exists: boolean;
  /** The node at parent[key] when it exists (null for `? key` without a value). */
  node: Node | null;
  /** Path items below `key` that do not exist yet; setting creates them. */
  rest: FieldPath;
  /** `parent` is inside (or is) a flow collection, where `,[]{}` need quoting. */
  flow: boolean;
}

const bad = (msg: string) => new HarnessError('BAD_REQUEST', msg);

/** The path as users read it: services.api.target.args[0]. */
function label(e: SetFieldEdit, n = e.path.length): string {
  return e.path.slice(0, n).reduce<string>((acc, k) => (typeof k === 'number' ? `${acc}[${k}]` : `${acc}.${k}`), `services.${e.service}`);
}

/** Payload checks the schema language cannot express: path items, renames, a missing value. */
export function checkSetField(e: SetFieldEdit): void {
  const problem = Array.isArray(e.path) ? fieldPathProblem(e.path) : 'path must be a list of field names and indexes';
  if (problem) throw bad(`setField on service "${e.service}": ${problem}`);
  if (e.value === undefined) throw bad(`setField ${label(e)}: "value" is required (null removes the field)`);
}

function isEmptyNode(n: Node | null | undefined): boolean {
  return n === null || n === undefined || (isScalar(n) && n.value === null);
}

function describe(n: Node): string {
  if (isAlias(n)) return `an alias (*${n.source})`;
  return isScalar(n) ? `a value (${JSON.stringify(n.value)})` : 'not a collection';
}

function resolve(map: YAMLMap, e: SetFieldEdit): FieldTarget {
  let parent: Collection = map;
  let parentPair: Pair | undefined;
  let flow = Boolean(map.flow);
  for (let i = 0; i < e.path.length; i++) {
    const key = e.path[i];
    let pair: Pair | undefined;
    let node: Node | null;
    let exists: boolean;
    if (isMap(parent)) {
      if (typeof key !== 'string') throw bad(`setField: ${label(e, i)} is a map; item ${key} needs a field name, not an index`);
      pair = parent.items.find((p) => isScalar(p.key) && String(p.key.value) === key);
      exists = pair !== undefined;
      node = (pair?.value ?? null) as Node | null;
    } else {
      if (typeof key !== 'number') throw bad(`setField: ${label(e, i)} is a list; "${key}" needs to be an index`);
      if (key > parent.items.length) {
        throw bad(`setField: ${label(e, i)} has ${parent.items.length} items; index ${key} is past its end`);
      }
      exists = key < parent.items.length;
      node = exists ? (parent.items[key] as Node | null) : null;
    }
    if (i === e.path.length - 1) return { parent, parentPair, key, pair, exists, node, rest: [], flow };
    if (isMap(node) || isSeq(node)) {
      parentPair = isMap(parent) ? pair : undefined;
      parent = node;
      flow ||= Boolean(node.flow);
      continue;
    }
    if (isEmptyNode(node)) return { parent, parentPair, key, pair, exists, node, rest: e.path.slice(i + 1), flow };
    throw bad(`setField: ${label(e, i + 1)} is ${describe(node!)}, not a map or list, so ${label(e)} cannot be set under it`);
  }
  throw bad(`setField on service "${e.service}": the path is empty`);
}

/** The value to write at the target: `value` wrapped in the maps (and first list items) that
 * do not exist yet. */
function nested(t: FieldTarget, e: SetFieldEdit): unknown {
  let v = e.value;
  for (let i = t.rest.length - 1; i >= 0; i--) {
    const k = t.rest[i];
    if (typeof k === 'number') {
      if (k !== 0) throw bad(`setField: cannot create ${label(e)}: the list before index ${k} does not exist yet`);
      v = [v];
    } else {
      v = Object.fromEntries([[k, v]]);
    }
  }
  return v;
}

/** The edit through yaml's AST (used for the fallback and as the meaning a splice must match). */
export function setFieldAst(d: Document, e: SetFieldEdit): void {
  const t = resolve(mustFindService(d, e.service).map, e);
  if (e.value === null) {
    if (!t.exists || t.rest.length > 0) return;
    if (isMap(t.parent)) t.parent.items.splice(t.parent.items.indexOf(t.pair!), 1);
    else t.parent.items.splice(t.key as number, 1);
    return;
  }
  const node = d.createNode(nested(t, e));
  if (isSeq(t.parent)) t.parent.items[t.key as number] = node;
  else if (t.pair) t.pair.value = node;
  else t.parent.items.push(d.createPair(t.key, node));
}

/** The edit as a text splice, or null when only the AST edit can do it faithfully. */
export function setFieldSplice(text: string, doc: Document, e: SetFieldEdit): string | null {
  const t = resolve(mustFindService(doc, e.service).map, e);
  let next: string | null;
  if (e.value === null) {
    if (!t.exists || t.rest.length > 0) return text;
    next = remove(text, t);
  } else {
    next = t.exists ? replace(text, t, nested(t, e)) : add(text, t, nested(t, e));
  }
  if (next === null) return null;
  const expected = doc.clone();
  setFieldAst(expected, e);
  const got = parseYaml(next);
  if (got.errors.length > 0 || JSON.stringify(got.toJSON()) !== JSON.stringify(expected.toJSON())) return null;
  return next;
}

/** A value as inline YAML: flow collections, scalars quoted only when they must be. */
export function inlineValue(value: unknown, inFlow: boolean): string {
  const flowText = (v: unknown) => {
    const d = new Document();
    d.contents = d.createNode(v, { flow: true }) as never;
    return d.toString({ lineWidth: 0, flowCollectionPadding: false }).trimEnd();
  };
  // Inside a flow collection a scalar must be flow-safe: take it from a one-item flow list.
  const s = inFlow ? flowText([value]).slice(1, -1) : flowText(value);
  // Multi-line strings come out as block scalars; JSON is valid YAML and stays on one line.
  return s.includes('\n') ? JSON.stringify(value) : s;
}

function isFilledCollection(v: unknown): boolean {
  return typeof v === 'object' && v !== null && Object.keys(v).length > 0;
}

function isBlockCollection(n: Node | null): n is Collection {
  return (isMap(n) || isSeq(n)) && !n.flow;
}

const onlySpaces = (s: string) => /^ *$/.test(s);

function splice(text: string, ...s: Splice[]): string {
  return applySplices(text, s);
}

function replace(text: string, t: FieldTarget, value: unknown): string | null {
  const n = t.node;
  const r = rangeOf(n);
  if (!n || !r) return null;
  if (isScalar(n) && (n.type === 'BLOCK_LITERAL' || n.type === 'BLOCK_FOLDED')) return null;
  if (!isBlockCollection(n)) {
    const v = inlineValue(value, t.flow);
    // `key:` with nothing after it: the empty value sits right after the colon.
    if (isScalar(n) && n.value === null && r[0] === r[1]) return splice(text, { start: r[0], end: r[1], text: (text[r[0] - 1] === ':' ? ' ' : '') + v });
    return splice(text, { start: r[0], end: r[1], text: v });
  }
  // A block collection: a new collection stays in block style at the same indentation.
  if (isFilledCollection(value)) {
    const ls = lineStart(text, r[0]);
    if (!onlySpaces(text.slice(ls, r[0]))) return null;
    return splice(text, { start: ls, end: afterLine(text, r[1]), text: blockLines(value, column(text, r[0])) });
  }
  // Anything else goes on the key's line.
  const kr = rangeOf(t.pair?.key as Node | undefined);
  if (!kr) return null;
  return splice(text, { start: kr[1], end: afterLine(text, r[1]), text: `: ${inlineValue(value, false)}\n` });
}

function add(text: string, t: FieldTarget, value: unknown): string | null {
  const { parent } = t;
  const r = rangeOf(parent);
  if (!r) return null;
  const lastEnd = itemRange(parent, parent.items.length - 1)?.[1];
  if (parent.flow) {
    const close = text.lastIndexOf(isMap(parent) ? '}' : ']', r[1] - 1);
    if (close < r[0]) return null;
    const item = isMap(parent) ? `${inlineValue(t.key, true)}: ${inlineValue(value, true)}` : inlineValue(value, true);
    if (lastEnd === undefined) return parent.items.length === 0 ? splice(text, { start: close, end: close, text: item }) : null;
    return splice(text, { start: lastEnd, end: lastEnd, text: `, ${item}` });
  }
  if (lastEnd === undefined) return null;
  const at = afterLine(text, lastEnd);
  if (isSeq(parent)) {
    const first = rangeOf(parent.items[0] as Node);
    const dash = first ? dashColumn(text, first[0]) : undefined;
    if (dash === undefined) return null;
    return splice(text, insertLines(text, at, `${' '.repeat(dash)}- ${inlineValue(value, false)}\n`));
  }
  const first = rangeOf((parent.items[0] as Pair).key as Node);
  if (!first) return null;
  const pad = ' '.repeat(column(text, first[0]));
  const key = inlineScalar(t.key);
  // New maps read best in block style (env:, restart:); lists and scalars inline.
  const lines =
    isFilledCollection(value) && !Array.isArray(value)
      ? `${pad}${key}:\n${blockLines(value, pad.length + 2)}`
      : `${pad}${key}: ${inlineValue(value, false)}\n`;
  return splice(text, insertLines(text, at, lines));
}

/** From the start of item `i` (a pair's key) to the end of its value, in the text. */
function itemRange(parent: Collection, i: number): [number, number] | undefined {
  const item = parent.items[i] as Pair | Node | undefined;
  if (item === undefined) return undefined;
  const first = (isMap(parent) ? (item as Pair).key : item) as Node | null;
  const last = (isMap(parent) ? ((item as Pair).value ?? (item as Pair).key) : item) as Node | null;
  const a = rangeOf(first)?.[0];
  const b = rangeOf(last)?.[1];
  return a === undefined || b === undefined ? undefined : [a, b];
}

function remove(text: string, t: FieldTarget): string | null {
  const { parent } = t;
  const i = isMap(parent) ? parent.items.indexOf(t.pair!) : (t.key as number);
  const r = itemRange(parent, i);
  if (!r) return null;
  const [start, end] = r;
  if (parent.flow) {
    // With the comma that follows it, or (the last item) the one before it.
    const next = itemRange(parent, i + 1)?.[0];
    const prev = itemRange(parent, i - 1)?.[1];
    if (next !== undefined) return splice(text, { start, end: next, text: '' });
    if (prev !== undefined) return splice(text, { start: prev, end, text: '' });
    return splice(text, { start, end, text: '' });
  }
  if (parent.items.length === 1) {
    // The last item: the collection becomes empty ({} / []), written on its key's line.
    const kr = rangeOf(t.parentPair?.key as Node | undefined);
    const pr = rangeOf(parent);
    if (!kr || !pr) return null;
    return splice(text, { start: kr[1], end: afterLine(text, pr[1]), text: `: ${isMap(parent) ? '{}' : '[]'}\n` });
  }
  const ls = lineStart(text, start);
  const prefix = text.slice(ls, start);
  // Only whole lines: `key: v` alone on its line, or `- v` for a list item.
  if (!(isMap(parent) ? onlySpaces(prefix) : dashColumn(text, start) !== undefined)) return null;
  return splice(text, { start: ls, end: afterLine(text, end), text: '' });
}
