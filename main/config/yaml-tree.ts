// Turns a parsed yaml Document into a small positioned tree: every node knows its line, column
// and field path, aliases and `<<` merge keys are expanded (within budgets, so a hostile file
// cannot hang the loader), and string scalars are interpolated.
import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node, type Scalar as YamlScalar, type YAMLMap } from 'yaml';
import { LIMITS } from './fields.js';
import { childPath } from '../../shared/field-path.js';
import { interpolate, type Env, type InterpolationResult } from './interpolate.js';
import type { Pos, ProblemList } from './problems.js';
import type { AliasTargets } from './yaml-anchors.js';

export type Scalar = string | number | boolean | null;

interface Base {
  pos: Pos;
  path: string;
}
export interface YMap extends Base {
  kind: 'map';
  entries: YEntry[];
}
export interface YEntry {
  key: string;
  keyPos: Pos;
  value: YNode;
}
export interface YSeq extends Base {
  kind: 'seq';
  items: YNode[];
}
export interface YScalar extends Base {
  kind: 'scalar';
  value: Scalar;
  /** The string came out of `${…}` interpolation (a number may then arrive as a string). */
  substituted: boolean;
}
export type YNode = YMap | YSeq | YScalar;

/** Thrown when the expanded tree would exceed a limit; reported at `pos`/`path`. */
export class TreeLimitError extends Error {
  constructor(
    message: string,
    readonly pos: Pos,
    readonly path: string,
  ) {
    super(message);
  }
}

// One spelling of field paths for the loader and the editors that match problems to fields.
export { childPath } from '../../shared/field-path.js';

type Located = { range?: readonly number[] | null } | null | undefined;

/** Line and column (1-based) of an offset: LineCounter.linePos without its intermediate object. */
export function offsetPos(lc: LineCounter, offset: number): Pos {
  const starts = lc.lineStarts;
  let lo = 0;
  let hi = starts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (starts[mid] <= offset) lo = mid + 1;
    else hi = mid;
  }
  // `lo` lines start at or before the offset (a LineCounter always holds the start 0).
  return lo === 0 ? { line: 0, column: offset } : { line: lo, column: offset - starts[lo - 1] + 1 };
}

export function buildTree(doc: Document, lc: LineCounter, env: Env, problems: ProblemList, targets: AliasTargets): YNode | undefined {
  let nodes = 0;
  let expansions = 0;
  // The outermost alias being expanded: a limit hit inside expanded content is reported where
  // the user wrote the alias, not deep inside the anchor's definition.
  let outer: { pos: Pos; path: string } | undefined;
  // Interpolation depends only on the text: a string reached through aliases is interpolated
  // once, however often it is used (a 500 KB string aliased 2000 times).
  const interpolated = new Map<Node, InterpolationResult>();

  const posOf = (n: Located, fallback: Pos): Pos => {
    const off = n?.range?.[0];
    return off === undefined ? fallback : offsetPos(lc, off);
  };
  const count = (pos: Pos, path: string, depth: number) => {
    if (++nodes > LIMITS.maxNodes) {
      const at = outer ?? { pos, path };
      throw new TreeLimitError(`the file expands to more than ${LIMITS.maxNodes} nodes (aliases and merge keys included)`, at.pos, at.path);
    }
    if (depth > LIMITS.maxDepth) throw new TreeLimitError(`nesting deeper than ${LIMITS.maxDepth} levels`, pos, path);
  };
  /** The node an alias names, counted against the expansion budget; plain nodes pass through. */
  const deref = (node: unknown, pos: Pos, path: string): Node | null | undefined => {
    if (!isAlias(node)) return node as Node | null | undefined;
    if (++expansions > LIMITS.maxAliasExpansions) {
      const at = outer ?? { pos, path };
      throw new TreeLimitError(`too many alias expansions (more than ${LIMITS.maxAliasExpansions}); is this a "billion laughs" file?`, at.pos, at.path);
    }
    return targets.get(node); // unknown aliases were reported before the tree was built
  };
  const build = (raw: unknown, path: string, depth: number, fallback: Pos): YNode => {
    const pos = posOf(raw as Located, fallback);
    count(pos, path, depth);
    const node = deref(raw, pos, path);
    if (!isAlias(raw) || outer) return buildNode(node, pos, path, depth);
    outer = { pos, path };
    try {
      return buildNode(node, pos, path, depth);
    } finally {
      outer = undefined;
    }
  };

  const buildNode = (node: Node | null | undefined, pos: Pos, path: string, depth: number): YNode => {
    if (isMap(node)) return { kind: 'map', pos, path, entries: mapEntries(node, path, depth, pos) };
    if (isSeq(node)) return { kind: 'seq', pos, path, items: node.items.map((it, i) => build(it, childPath(path, i), depth + 1, pos)) };
    if (isScalar(node)) return scalar(node, pos, path);
    return { kind: 'scalar', pos, path, value: null, substituted: false };
  };

  const scalar = (node: YamlScalar, pos: Pos, path: string): YScalar => {
    const v = node.value;
    if (typeof v === 'string') {
      let r = outer ? interpolated.get(node) : undefined;
      if (!r) {
        r = interpolate(v, env);
        if (outer) interpolated.set(node, r);
      }
      for (const issue of r.issues) {
        if (issue.severity === 'error') problems.error(pos, path, issue.message);
        else problems.warn(pos, path, issue.message);
      }
      return { kind: 'scalar', pos, path, value: r.value, substituted: r.substituted };
    }
    const value: Scalar =
      v === null || v === undefined || typeof v === 'number' || typeof v === 'boolean' ? (v ?? null) : typeof v === 'bigint' ? Number(v) : String(v);
    return { kind: 'scalar', pos, path, value, substituted: false };
  };

  /** A map's entries: its own keys in order, then merged (`<<`) keys it does not set itself. */
  const mapEntries = (map: YAMLMap, path: string, depth: number, pos: Pos): YEntry[] => {
    const entries: YEntry[] = [];
    const seen = new Set<string>();
    const sources: Array<{ value: unknown; keyPos: Pos }> = [];
    for (const pair of map.items) {
      const k = entryKey(pair, pos, path);
      if (!k) continue;
      if (k.merge) sources.push({ value: pair.value, keyPos: k.keyPos });
      else {
        seen.add(k.key);
        entries.push({ key: k.key, keyPos: k.keyPos, value: build(pair.value, childPath(path, k.key), depth + 1, k.keyPos) });
      }
    }
    for (const s of sources) merge(s.value, s.keyPos, entries, seen, path, depth + 1, true);
    return entries;
  };

  const entryKey = (pair: unknown, mapPos: Pos, path: string): { key: string; keyPos: Pos; merge: boolean } | undefined => {
    if (!isPair(pair)) return undefined;
    const keyNode = pair.key as Node | null;
    const keyPos = posOf(keyNode, mapPos);
    if (keyNode !== null && !isScalar(keyNode)) {
      problems.error(keyPos, path, 'keys must be plain strings');
      return undefined;
    }
    const key = keyNode === null || keyNode.value === null ? '' : String(keyNode.value);
    return { key, keyPos, merge: key === '<<' && keyNode !== null && keyNode.type === 'PLAIN' };
  };

  /** Folds `<<: *a`, `<<: {…}` or `<<: [*a, *b]` into `entries`: earlier keys win. Each merged
   * value is built once, under the path where it is used. */
  const merge = (raw: unknown, fallback: Pos, entries: YEntry[], seen: Set<string>, path: string, depth: number, listAllowed: boolean): void => {
    const pos = posOf(raw as Located, fallback);
    count(pos, path, depth);
    const node = deref(raw, pos, path);
    if (!isAlias(raw) || outer) return mergeNode(node, pos, entries, seen, path, depth, listAllowed);
    outer = { pos, path };
    try {
      mergeNode(node, pos, entries, seen, path, depth, listAllowed);
    } finally {
      outer = undefined;
    }
  };

  const mergeNode = (node: Node | null | undefined, pos: Pos, entries: YEntry[], seen: Set<string>, path: string, depth: number, listAllowed: boolean): void => {
    if (listAllowed && isSeq(node)) {
      for (const it of node.items) merge(it, pos, entries, seen, path, depth + 1, false);
      return;
    }
    if (!isMap(node)) {
      problems.error(pos, path, 'a merge key (<<) needs a map or a list of maps');
      return;
    }
    const nested: Array<{ value: unknown; keyPos: Pos }> = [];
    for (const pair of node.items) {
      const k = entryKey(pair, pos, path);
      if (!k) continue;
      if (k.merge) {
        nested.push({ value: pair.value, keyPos: k.keyPos });
        continue;
      }
      count(k.keyPos, path, depth);
      if (seen.has(k.key)) continue;
      seen.add(k.key);
      entries.push({ key: k.key, keyPos: k.keyPos, value: build(pair.value, childPath(path, k.key), depth + 1, k.keyPos) });
    }
    for (const s of nested) merge(s.value, s.keyPos, entries, seen, path, depth + 1, true);
  };

  try {
    return doc.contents === null ? undefined : build(doc.contents, '', 0, { line: 1, column: 1 });
  } catch (err) {
    if (err instanceof TreeLimitError) {
      problems.error(err.pos, err.path, err.message);
      return undefined;
    }
    if (err instanceof RangeError) {
      problems.error(outer?.pos ?? { line: 1, column: 1 }, outer?.path ?? '', 'the file is nested too deeply');
      return undefined;
    }
    throw err;
  }
}
