// Turns a parsed yaml Document into a small positioned tree: every node knows its line, column
// and field path, aliases and `<<` merge keys are expanded (within budgets, so a hostile file
// cannot hang the loader), and string scalars are interpolated.
import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import { LIMITS } from './fields.js';
import { childPath } from '../../shared/field-path.js';
import { interpolate, type Env } from './interpolate.js';
import type { Pos, ProblemList } from './problems.js';

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

export class TreeLimitError extends Error {}

// One spelling of field paths for the loader and the editors that match problems to fields.
export { childPath } from '../../shared/field-path.js';

export function buildTree(doc: Document, lc: LineCounter, env: Env, problems: ProblemList): YNode | undefined {
  let nodes = 0;
  const posOf = (n: { range?: readonly number[] | null } | null | undefined, fallback: Pos): Pos => {
    const off = n?.range?.[0];
    if (off === undefined) return fallback;
    const { line, col } = lc.linePos(off);
    return { line, column: col };
  };

  const build = (raw: unknown, path: string, depth: number, fallback: Pos): YNode => {
    if (++nodes > LIMITS.maxNodes) throw new TreeLimitError(`the file expands to more than ${LIMITS.maxNodes} nodes`);
    if (depth > LIMITS.maxDepth) throw new TreeLimitError(`nesting deeper than ${LIMITS.maxDepth} levels at ${path || 'top level'}`);
    let node = raw as Node | null | undefined;
    const pos = posOf(node, fallback);
    if (isAlias(node)) {
      const target = node.resolve(doc);
      if (!target) {
        problems.error(pos, path, `unknown alias *${node.source}`);
        return { kind: 'scalar', pos, path, value: null, substituted: false };
      }
      node = target;
    }
    if (isMap(node)) {
      const entries: YEntry[] = [];
      const merged: YEntry[] = [];
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const keyNode = pair.key as Node | null;
        const keyPos = posOf(keyNode, pos);
        if (keyNode !== null && !isScalar(keyNode)) {
          problems.error(keyPos, path, 'keys must be plain strings');
          continue;
        }
        const key = keyNode === null || keyNode.value === null ? '' : String(keyNode.value);
        if (key === '<<' && isScalar(keyNode) && keyNode.type === 'PLAIN') {
          // `<<: *defaults` or `<<: [*a, *b]`: fold the sources in; explicit keys win later.
          const src = build(pair.value, path, depth + 1, keyPos);
          const sources = src.kind === 'seq' ? src.items : [src];
          for (const s of sources) {
            if (s.kind !== 'map') problems.error(s.pos, path, 'a merge key (<<) needs a map or a list of maps');
            else for (const e of s.entries) if (!merged.some((m) => m.key === e.key)) merged.push(e);
          }
          continue;
        }
        entries.push({ key, keyPos, value: build(pair.value, childPath(path, key), depth + 1, keyPos) });
      }
      for (const m of merged) {
        if (!entries.some((e) => e.key === m.key)) entries.push({ ...m, value: rebase(m.value, childPath(path, m.key)) });
      }
      return { kind: 'map', pos, path, entries };
    }
    if (isSeq(node)) {
      return { kind: 'seq', pos, path, items: node.items.map((it, i) => build(it, childPath(path, i), depth + 1, pos)) };
    }
    if (isScalar(node)) {
      const v = node.value;
      if (typeof v === 'string') {
        const r = interpolate(v, env);
        for (const issue of r.issues) {
          if (issue.severity === 'error') problems.error(pos, path, issue.message);
          else problems.warn(pos, path, issue.message);
        }
        return { kind: 'scalar', pos, path, value: r.value, substituted: r.substituted };
      }
      const value: Scalar =
        v === null || v === undefined || typeof v === 'number' || typeof v === 'boolean'
          ? (v ?? null)
          : typeof v === 'bigint'
            ? Number(v)
            : String(v);
      return { kind: 'scalar', pos, path, value, substituted: false };
    }
    return { kind: 'scalar', pos, path, value: null, substituted: false };
  };

  try {
    return doc.contents === null ? undefined : build(doc.contents, '', 0, { line: 1, column: 1 });
  } catch (err) {
    if (err instanceof TreeLimitError || err instanceof RangeError) {
      problems.error({ line: 1, column: 1 }, '', err instanceof TreeLimitError ? err.message : 'the file is nested too deeply');
      return undefined;
    }
    throw err;
  }
}

/** Merged entries are reported under the path where they are used, not where they are defined. */
function rebase(n: YNode, path: string): YNode {
  if (n.kind === 'map') return { ...n, path, entries: n.entries.map((e) => ({ ...e, value: rebase(e.value, childPath(path, e.key)) })) };
  if (n.kind === 'seq') return { ...n, path, items: n.items.map((it, i) => rebase(it, childPath(path, i))) };
  return { ...n, path };
}
