// A docker-compose file as a small positioned tree: every node knows its line and field path
// (`services.db.deploy`), aliases and `<<` merge keys are expanded within the loader's budgets.
// Unlike the services.yaml tree, strings are NOT interpolated: `${VAR}` references are carried
// into the generated file, where Harness resolves them when it loads it.
import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import type { ConfigProblem } from '../../shared/config-types.js';
import { HarnessError } from '../../shared/errors.js';
import { LIMITS } from '../config/fields.js';
import { ProblemList } from '../config/problems.js';
import { resolveAliases, type AliasTargets } from '../config/yaml-anchors.js';
import { lineIndex, parseYaml, YamlLimitError } from '../config/yaml-parse.js';

export type CScalarValue = string | number | boolean | null;

interface Base {
  /** 1-based line where the node is written: its key's line for a map value, else its own (for
   * merged or aliased nodes, where the anchor's text is). */
  line: number;
  path: string;
}
export interface CMap extends Base {
  kind: 'map';
  entries: CEntry[];
}
export interface CEntry {
  key: string;
  line: number;
  value: CNode;
}
export interface CSeq extends Base {
  kind: 'seq';
  items: CNode[];
}
export interface CScalar extends Base {
  kind: 'scalar';
  value: CScalarValue;
  /** A plain number or boolean as written (`1.10`, `0755`), which Compose keeps as text where it
   * wants a string (environment values, ports). */
  source?: string;
}
export type CNode = CMap | CSeq | CScalar;

class TreeLimit extends Error {}

export function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return parent === '' ? key : `${parent}.${key}`;
}

export function get(m: CMap, key: string): CNode | undefined {
  return m.entries.find((e) => e.key === key)?.value;
}

/** Parses compose text; a file that is not YAML, or not a map, is a CONFIG_INVALID error whose
 * details carry every problem with its line (the CLI prints them compiler style). */
export function parseComposeTree(text: string, file: string): CMap {
  const fail = (problems: ConfigProblem[]): never => {
    const first = problems[0];
    throw new HarnessError('CONFIG_INVALID', `${file}:${first.line}: ${first.message}`, { problems });
  };
  const problem = (line: number, message: string, path = ''): ConfigProblem => ({ file, line, column: 1, path, message, severity: 'error' });
  if (Buffer.byteLength(text, 'utf8') > LIMITS.maxFileBytes) fail([problem(0, `the file is larger than ${LIMITS.maxFileBytes / 1024 / 1024} MiB`)]);
  // The loader's bounded parser (token budget, nesting limit, linear duplicate-key check) and its
  // one-pass alias resolution: the same guarantees for a compose file as for a services.yaml.
  const lc = lineIndex(text);
  const doc = parseYaml(text);
  const lineAt = (off: number | undefined): number => (off === undefined ? 1 : lc.linePos(off).line);
  if (doc.errors.length > 0) fail(doc.errors.map((e) => problem(lineAt(e.pos[0]), e instanceof YamlLimitError ? e.message : `YAML syntax error: ${e.message}`)));
  const aliasProblems = new ProblemList(file);
  const aliases = resolveAliases(doc, lc, aliasProblems);
  if (!aliases) fail(aliasProblems.items.map((p) => problem(p.line, p.message, p.path)));
  let tree: CNode;
  try {
    tree = build(doc, lc, text, aliases as AliasTargets);
  } catch (err) {
    if (err instanceof TreeLimit || err instanceof RangeError) return fail([problem(1, err instanceof TreeLimit ? err.message : 'the file is nested too deeply')]);
    throw err;
  }
  if (tree.kind !== 'map') return fail([problem(tree.line, 'expected a Compose file: a map with "services" at the top level')]);
  return tree;
}

function build(doc: Document, lc: LineCounter, text: string, aliases: AliasTargets): CNode {
  let nodes = 0;
  const lineOf = (n: { range?: readonly number[] | null } | null | undefined, fallback: number): number => {
    const off = n?.range?.[0];
    return off === undefined ? fallback : lc.linePos(off).line;
  };
  const walk = (raw: unknown, path: string, depth: number, fallback: number, keyLine?: number): CNode => {
    if (++nodes > LIMITS.maxNodes) throw new TreeLimit(`the file expands to more than ${LIMITS.maxNodes} nodes`);
    if (depth > LIMITS.maxDepth) throw new TreeLimit(`nesting deeper than ${LIMITS.maxDepth} levels at ${path || 'top level'}`);
    let node = raw as Node | null | undefined;
    const line = keyLine ?? lineOf(node, fallback);
    if (isAlias(node)) {
      const target = aliases.get(node);
      if (!target) throw new TreeLimit(`line ${line}: unknown alias *${node.source}`);
      node = target;
    }
    if (isMap(node)) {
      const entries: CEntry[] = [];
      const merged: CEntry[] = [];
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const keyNode = pair.key as Node | null;
        const keyLine = lineOf(keyNode, line);
        const key = keyNode === null ? '' : isScalar(keyNode) ? String(keyNode.value) : '';
        if (key === '<<' && isScalar(keyNode) && keyNode.type === 'PLAIN') {
          // `<<: *defaults` or `<<: [*a, *b]`: earlier sources win, keys written in the map win last.
          const src = walk(pair.value, path, depth + 1, keyLine);
          for (const s of src.kind === 'seq' ? src.items : [src]) {
            if (s.kind === 'map') for (const e of s.entries) if (!merged.some((m) => m.key === e.key)) merged.push(e);
          }
          continue;
        }
        entries.push({ key, line: keyLine, value: walk(pair.value, childPath(path, key), depth + 1, keyLine, keyLine) });
      }
      for (const m of merged) {
        if (!entries.some((e) => e.key === m.key)) entries.push({ ...m, value: rebase(m.value, childPath(path, m.key)) });
      }
      return { kind: 'map', line, path, entries };
    }
    if (isSeq(node)) return { kind: 'seq', line, path, items: node.items.map((it, i) => walk(it, childPath(path, i), depth + 1, line)) };
    if (isScalar(node)) {
      const v = node.value;
      const value: CScalarValue =
        v === null || v === undefined ? null : typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : String(v);
      const r = node.range;
      const source = typeof v !== 'string' && v !== null && node.type === 'PLAIN' && r ? text.slice(r[0], r[1]) : undefined;
      return source === undefined ? { kind: 'scalar', line, path, value } : { kind: 'scalar', line, path, value, source };
    }
    return { kind: 'scalar', line, path, value: null };
  };
  return doc.contents === null ? { kind: 'scalar', line: 1, path: '', value: null } : walk(doc.contents, '', 0, 1);
}

/** A merged node is reported under the path where it is used, at the line where it is written. */
export function rebase(n: CNode, path: string): CNode {
  if (n.kind === 'map') return { ...n, path, entries: n.entries.map((e) => ({ ...e, value: rebase(e.value, childPath(path, e.key)) })) };
  if (n.kind === 'seq') return { ...n, path, items: n.items.map((it, i) => rebase(it, childPath(path, i))) };
  return { ...n, path };
}
