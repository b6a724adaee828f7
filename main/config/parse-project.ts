// Text of a services.yaml → ProjectConfig plus every problem, synchronously and without I/O
// (loadProject adds the file and `.env` reading). Never throws on any input.
import path from 'node:path';
import type { Document } from 'yaml';
import type { ProjectConfig, ServiceConfig } from '../../shared/config-types.js';
import type { ConfigDocument, LoadResult, ParsedService } from './config-document.js';
import { FIELDS, LIMITS } from './fields.js';
import type { Env } from './interpolate.js';
import { normaliseNetworks } from './normalise-networks.js';
import { normaliseService, type ServiceEntry } from './normalise-service.js';
import { NO_POS, ProblemList, type Pos } from './problems.js';
import { Readers, value } from './readers.js';
import { validateGraph } from './validate-graph.js';
import { resolveAliases } from './yaml-anchors.js';
import { lineIndex, parseYaml, YamlLimitError } from './yaml-parse.js';
import { buildTree, childPath, offsetPos, type YScalar } from './yaml-tree.js';

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
  // Set once the services were read; results returned before that have none.
  const read: { partial?: LoadResult['partial'] } = {};
  const done = (config: ProjectConfig | null): LoadResult => ({
    config: problems.hasErrors ? null : config,
    problems: problems.items,
    counts: problems.counts,
    document,
    ...(read.partial ? { partial: read.partial } : {}),
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
  const lc = lineIndex(text);
  let doc: Document;
  try {
    doc = parseYaml(text, { keepSourceTokens: false });
  } catch (err) {
    // yaml does not throw on bad input, but a pathological nesting depth could overflow the stack.
    problems.error({ line: 1, column: 1 }, '', `cannot parse YAML: ${(err as Error).message}`);
    return done(null);
  }
  document.doc = doc;
  const posAt = (offset: number | undefined): Pos => (offset === undefined ? { line: 1, column: 1 } : offsetPos(lc, offset));
  for (const e of doc.errors) problems.error(posAt(e.pos[0]), '', e instanceof YamlLimitError ? e.message : `YAML syntax error: ${e.message}`);
  for (const w of doc.warnings) problems.warn(posAt(w.pos[0]), '', w.message);
  if (problems.hasErrors) return done(null);

  // Every alias is resolved (or reported) once, before anything is expanded.
  const targets = resolveAliases(doc, lc, problems);
  if (!targets) return done(null);
  const tree = buildTree(doc, lc, env, problems, targets);
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
  const fileIndex = new Map<ServiceEntry, number>();
  const servicesNode = value(top, 'services');
  const count = servicesNode?.kind === 'seq' ? servicesNode.items.length : servicesNode?.kind === 'map' ? servicesNode.entries.length : 0;
  if (count > LIMITS.maxServices) {
    // Checked before validating each one: 5000 services are refused, not validated first.
    problems.error(servicesNode!.pos, 'services', `more than ${LIMITS.maxServices} services (${count})`);
    return done(null);
  }
  if (servicesNode && servicesNode.kind === 'seq') {
    servicesNode.items.forEach((item, i) => {
      const e = normaliseService(item, r, dir);
      if (!e) return;
      entries.push(e);
      fileIndex.set(e, i);
    });
  } else if (servicesNode && servicesNode.kind === 'map') {
    for (const [i, ent] of servicesNode.entries.entries()) {
      const key: YScalar = { kind: 'scalar', pos: ent.keyPos, path: childPath('services', ent.key), value: ent.key, substituted: false };
      const e = normaliseService(ent.value, r, dir, { name: ent.key, node: key });
      if (!e) continue;
      entries.push(e);
      fileIndex.set(e, i);
    }
  } else if (servicesNode && !(servicesNode.kind === 'scalar' && servicesNode.value === null)) {
    r.seq(servicesNode, 'a list of services or a map of services keyed by name');
  }
  validateGraph(entries, problems);
  const networksNode = value(top, 'networks');
  const networks = networksNode ? normaliseNetworks(networksNode, r) : undefined;

  const services = entries.map((e) => e.config).filter((c): c is ServiceConfig => c !== undefined);
  read.partial = { name, services: parsedServices(entries, fileIndex) };
  return done({ name, file, dir, services, ...(networks ? { networks } : {}) });
}

function parsedServices(entries: ServiceEntry[], fileIndex: Map<ServiceEntry, number>): ParsedService[] {
  return entries.flatMap((e) =>
    e.name === undefined
      ? []
      : [{ name: e.name, path: e.path, index: fileIndex.get(e) ?? -1, ...(e.config ? { config: e.config } : {}), dependencies: e.deps.map((d) => d.name) }],
  );
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
