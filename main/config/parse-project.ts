// Text of a services.yaml → ProjectConfig plus every problem, synchronously and without I/O
// (loadProject adds the file and `.env` reading). Never throws on any input.
import path from 'node:path';
import { LineCounter, parseDocument, type Document } from 'yaml';
import type { ConfigProblem, ProjectConfig, ServiceConfig } from '../../shared/config-types.js';
import type { ConfigDocument, LoadResult } from './config-document.js';
import { FIELDS, LIMITS } from './fields.js';
import type { Env } from './interpolate.js';
import { normaliseNetworks } from './normalise-networks.js';
import { normaliseService, type ServiceEntry } from './normalise-service.js';
import { NO_POS, ProblemList, type Pos } from './problems.js';
import { Readers, value } from './readers.js';
import { validateGraph } from './validate-graph.js';
import { buildTree, childPath, type YScalar } from './yaml-tree.js';

const PROJECT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

/** Directory name → a project name: lower-case, other characters → '-'. */
export function defaultProjectName(dir: string): string {
  const s = path
    .basename(dir)
    .toLowerCase()
    .replace(/[^a-z0-9_.-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .slice(0, 63);
  return s === '' ? 'harness' : s;
}

/** `file` should be absolute; relative paths in the file resolve against its directory. */
export function parseProject(text: string, file: string, env: Env, extra: ProblemList = new ProblemList(file)): LoadResult {
  const problems = extra;
  const document: ConfigDocument = { file, text, doc: null, env };
  const done = (config: ProjectConfig | null): LoadResult => ({
    config: problems.hasErrors ? null : config,
    problems: sortProblems(problems.items, file),
    document,
  });

  if (Buffer.byteLength(text, 'utf8') > LIMITS.maxFileBytes) {
    problems.error(NO_POS, '', `the file is larger than ${LIMITS.maxFileBytes / 1024 / 1024} MiB`);
    return done(null);
  }
  const deep = flowDepthExceeded(text, LIMITS.maxDepth);
  if (deep !== undefined) {
    // yaml's parser slows down badly on thousands of nested brackets; refuse before parsing.
    const { line, col } = lineCol(text, deep);
    problems.error({ line, column: col }, '', `nesting deeper than ${LIMITS.maxDepth} levels`);
    return done(null);
  }
  const lc = new LineCounter();
  let doc: Document;
  try {
    doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true, keepSourceTokens: false });
  } catch (err) {
    // yaml does not throw on bad input, but a pathological nesting depth could overflow the stack.
    problems.error({ line: 1, column: 1 }, '', `cannot parse YAML: ${(err as Error).message}`);
    return done(null);
  }
  document.doc = doc;
  const posAt = (offset: number | undefined): Pos => {
    if (offset === undefined) return { line: 1, column: 1 };
    const { line, col } = lc.linePos(offset);
    return { line, column: col };
  };
  for (const e of doc.errors) problems.error(posAt(e.pos[0]), '', `YAML syntax error: ${e.message}`);
  for (const w of doc.warnings) problems.warn(posAt(w.pos[0]), '', w.message);
  if (problems.hasErrors) return done(null);

  // yaml's own alias accounting stops billion-laughs documents before we expand anything.
  try {
    doc.toJS({ maxAliasCount: LIMITS.maxAliasCount });
  } catch (err) {
    // Other failures (an unresolved alias) are reported with their location by buildTree.
    if (err instanceof RangeError) {
      problems.error({ line: 1, column: 1 }, '', 'the file is nested too deeply');
      return done(null);
    }
    if (/alias count/i.test((err as Error).message)) {
      problems.error({ line: 1, column: 1 }, '', `too many alias expansions (limit ${LIMITS.maxAliasCount}); is this a "billion laughs" file?`);
      return done(null);
    }
  }

  const tree = buildTree(doc, lc, env, problems);
  if (problems.hasErrors) return done(null);
  const r = new Readers(problems);
  if (!tree || (tree.kind === 'scalar' && tree.value === null)) {
    problems.error({ line: 1, column: 1 }, '', 'the file is empty; expected a map with "services"');
    return done(null);
  }
  const top = r.map(tree, 'a map with "services" at the top level');
  if (!top) return done(null);
  r.keys(top, FIELDS.project, { allowExtensions: true });

  const dir = path.dirname(file);
  const nameNode = value(top, 'name');
  let name = defaultProjectName(dir);
  if (nameNode) {
    const n = r.string(nameNode);
    if (n !== undefined && !PROJECT_NAME.test(n)) {
      problems.error(nameNode.pos, nameNode.path, `invalid project name "${n}": letters, digits, '_', '.', '-', starting with a letter or digit (at most 63)`);
    } else if (n !== undefined) name = n;
  }

  const entries: ServiceEntry[] = [];
  const servicesNode = value(top, 'services');
  if (servicesNode && servicesNode.kind === 'seq') {
    servicesNode.items.forEach((item) => {
      const e = normaliseService(item, r, dir);
      if (e) entries.push(e);
    });
  } else if (servicesNode && servicesNode.kind === 'map') {
    for (const ent of servicesNode.entries) {
      const key: YScalar = { kind: 'scalar', pos: ent.keyPos, path: childPath('services', ent.key), value: ent.key, substituted: false };
      const e = normaliseService(ent.value, r, dir, { name: ent.key, node: key });
      if (e) entries.push(e);
    }
  } else if (servicesNode && !(servicesNode.kind === 'scalar' && servicesNode.value === null)) {
    r.seq(servicesNode, 'a list of services or a map of services keyed by name');
  }
  if (entries.length > LIMITS.maxServices) {
    problems.error(servicesNode!.pos, 'services', `more than ${LIMITS.maxServices} services`);
    return done(null);
  }
  validateGraph(entries, problems);
  const networksNode = value(top, 'networks');
  const networks = networksNode ? normaliseNetworks(networksNode, r) : undefined;

  const services = entries.map((e) => e.config).filter((c): c is ServiceConfig => c !== undefined);
  return done({ name, file, dir, services, ...(networks ? { networks } : {}) });
}

/** File-level problems first, then by position; other files (`.env`) after. Stable otherwise. */
function sortProblems(items: ConfigProblem[], file: string): ConfigProblem[] {
  const rank = (p: ConfigProblem) => (p.file === file ? 0 : 1);
  return [...items].sort((a, b) => rank(a) - rank(b) || a.line - b.line || a.column - b.column);
}

/** Offset where flow brackets nest deeper than `max` (quotes and comments skipped), if anywhere. */
function flowDepthExceeded(text: string, max: number): number | undefined {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '[' || c === '{') {
      if (++depth > max) return i;
    } else if (c === ']' || c === '}') depth = Math.max(0, depth - 1);
    else if (c === '"' || c === "'") {
      // Skip the quoted run (a doubled '' or an escaped \" stays inside it).
      for (i++; i < text.length && text[i] !== c; i++) if (c === '"' && text[i] === '\\') i++;
    } else if (c === '#' && (i === 0 || /\s/.test(text[i - 1]))) {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? text.length : nl;
    }
  }
  return undefined;
}

function lineCol(text: string, off: number): { line: number; col: number } {
  const before = text.slice(0, off);
  const line = before.split('\n').length;
  return { line, col: off - before.lastIndexOf('\n') };
}
