// A docker-compose file (Compose spec, v2/v3) to services.yaml text plus the exact list of what
// could not be carried over. Pure apart from `readText` (env files), so tests drive it directly.
import path from 'node:path';
import { envPrefix, type ConfigProblem } from '../../shared/config-types.js';
import { HarnessError } from '../../shared/errors.js';
import type { Env } from '../config/interpolate.js';
import { childPath, get, parseComposeTree, type CMap } from './compose-tree.js';
import { ServiceScope, type ConvertContext } from './context.js';
import { formatLoss, LossList, type Loss } from './losses.js';
import { resolveExtends } from './extends.js';
import { dependencies } from './map-depends-on.js';
import { mapService, toPlain } from './map-service.js';
import { declarations, networks, topLevelVolumes } from './map-top-level.js';
import { renderServicesYaml, type RenderedService } from './render.js';
import { scalarText } from './values.js';

const HARNESS_NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,62}$/;
const PROJECT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

export interface ConvertOptions {
  /** Absolute path of the compose file. */
  composeFile: string;
  /** Absolute path of the services.yaml to write (relative paths are rebased to its directory). */
  outFile: string;
  /** Profiles to import besides the default (services without `profiles`); `*` for all. */
  profiles?: string[];
  /** For `${VAR:+alt}` resolved at import time. Default: process.env. */
  env?: Env;
  readText: (abs: string) => string | undefined;
  /** How the compose file is named in loss lines and the header (default: its base name). */
  displayName?: string;
  /** The `$schema` reference for the first line, if any. */
  schemaRef?: string;
}

export interface ConvertResult {
  text: string;
  losses: Loss[];
  /** Loss lines as printed: `docker-compose.yml:14: services.db.deploy: not converted: ...`. */
  lossLines: string[];
  /** Harness names of the services written. */
  services: string[];
}

export interface Entry {
  composeName: string;
  name: string;
  node: CMap;
  line: number;
  included: boolean;
  profiles: string[];
}

export function convertCompose(text: string, opts: ConvertOptions): ConvertResult {
  const display = opts.displayName ?? path.basename(opts.composeFile);
  const root = parseComposeTree(text, display);
  const losses = new LossList();
  const ctx: ConvertContext = {
    losses,
    composeDir: path.dirname(opts.composeFile),
    outDir: path.dirname(opts.outFile),
    env: opts.env ?? process.env,
    readText: opts.readText,
  };
  const topScope = new ServiceScope(ctx, '', root);
  const extensions: Array<[string, unknown]> = [];
  for (const e of root.entries) {
    const at = { line: e.line, path: e.key };
    if (e.key.startsWith('x-')) extensions.push([e.key, toPlain(e.value, topScope)]);
    else if (e.key === 'include') losses.notConverted(at, 'Harness does not include other compose files; import each one on its own');
    else if (e.key === 'models') losses.notConverted(at, 'Harness provides no AI models');
    else if (!['version', 'name', 'services', 'volumes', 'networks', 'secrets', 'configs'].includes(e.key)) {
      losses.notConverted(at, `unknown top-level Compose field "${e.key}"`);
    }
  }

  const nameNode = get(root, 'name');
  const nameText = scalarText(nameNode);
  let projectName: string | undefined;
  if (nameNode && nameText !== undefined && PROJECT_NAME.test(nameText)) projectName = nameText;
  else if (nameNode) losses.notConverted(nameNode, `project name "${nameText ?? ''}" is not one Harness accepts; the directory name is used`);
  const imageProject = projectName ?? composeProjectName(ctx.composeDir);

  const secrets = declarations(root, 'secrets', losses);
  const configs = declarations(root, 'configs', losses);
  const servicesNode = get(root, 'services');
  if (!servicesNode || servicesNode.kind !== 'map') {
    const at = servicesNode ?? root;
    throw composeError(display, at.line, servicesNode ? '"services" must be a map of services keyed by name' : 'no "services": this is not a Compose file');
  }

  const selected = new Set(opts.profiles ?? []);
  const resolved = resolveExtends(servicesNode, losses);
  const entries: Entry[] = [];
  for (const e of servicesNode.entries) {
    const node = resolved.get(e.key) ?? e.value;
    if (node.kind !== 'map') {
      losses.notConverted({ line: e.line, path: childPath('services', e.key) }, 'expected a map of service fields; the service is not imported');
      continue;
    }
    const profiles = profileList(node);
    const included = profiles.length === 0 || selected.has('*') || profiles.some((p) => selected.has(p));
    entries.push({ composeName: e.key, name: e.key, node, line: e.line, included, profiles });
  }
  assignNames(entries, losses);

  const namedVolumes = new Set<string>();
  const mapped = new Map<string, { raw: Record<string, unknown>; healthy: boolean; envFiles: string[]; entry: Entry }>();
  for (const entry of entries) {
    const s = new ServiceScope(ctx, entry.name, entry.node, entry.line);
    const profilesAt = s.child(entry.node, 'profiles');
    if (!entry.included) {
      const list = entry.profiles.join(', ');
      s.notConverted(profilesAt, `only in profile(s) ${list}, which were not selected: the service is not imported (import it with --profile ${entry.profiles[0]})`);
      continue;
    }
    if (entry.profiles.length > 0) {
      s.approximated(profilesAt, `imported for profile(s) ${entry.profiles.filter((p) => selected.has(p) || selected.has('*')).join(', ')}; Harness has no profiles, so it starts with the rest of the stack`);
    }
    const m = mapService(s, { project: imageProject, composeName: entry.composeName, secrets, configs, namedVolumes });
    if (m) mapped.set(entry.composeName, { ...m, entry });
  }

  const byCompose = new Map(entries.map((e) => [e.composeName, e]));
  for (const [, svc] of mapped) {
    const deps = dependencies(new ServiceScope(ctx, svc.entry.name, svc.entry.node), byCompose, mapped);
    if (deps.length > 0) {
      // Dependencies read best right after the target, as in the Harness docs.
      const { target, ...rest } = svc.raw;
      svc.raw = { target, dependencies: deps, ...rest };
    }
  }
  topLevelVolumes(root, losses);
  networks(root, entries.filter((e) => mapped.has(e.composeName)), ctx);
  if (ctx.composeDir !== ctx.outDir && opts.readText(path.join(ctx.composeDir, '.env')) !== undefined) {
    losses.notConverted(
      { line: 0, path: '.env' },
      `the .env beside ${display} is not beside the new services.yaml; Harness reads ${path.join(ctx.outDir, '.env')} for \${VAR} references — copy it there`,
    );
  }

  const sorted = losses.sorted();
  const lossLines = sorted.map((l) => formatLoss(display, l));
  const rendered: RenderedService[] = [...mapped.values()].map((m) => ({
    name: m.entry.name,
    raw: m.raw,
    comments: [
      `${display}:${m.entry.line}: services.${m.entry.composeName}${m.envFiles.length > 0 ? ` (env_file inlined: ${m.envFiles.join(', ')})` : ''}`,
      ...sorted.filter((l) => l.service === m.entry.name).map((l) => `${l.line > 0 ? `line ${l.line}: ` : ''}${l.path}: ${l.kind}: ${l.message}`),
    ],
  }));
  const general = sorted.filter((l) => l.service === undefined || !mapped.has(byName(entries, l.service)?.composeName ?? ''));
  const header = [
    ...(opts.schemaRef ? [`yaml-language-server: $schema=${opts.schemaRef}`] : []),
    `Imported from ${display} by \`harness import\`. Reference: docs/services-yaml.md`,
    'How Compose fields map, and what differs for every service (ports bind to 127.0.0.1 unless an',
    'address is given, volumes are scoped to the Harness project, faster health probes):',
    'docs/compose-import.md',
    summaryLine(sorted.length, sorted.length - general.length, general.length),
    ...general.map((l) => `  ${formatLoss(display, l)}`),
  ];
  const text2 = renderServicesYaml({ header, name: projectName, extensions, services: rendered });
  return { text: text2, losses: sorted, lossLines, services: rendered.map((r) => r.name) };
}

function summaryLine(total: number, perService: number, general: number): string {
  if (total === 0) return 'Nothing was lost in the conversion.';
  const where = [perService > 0 ? 'listed above their services' : '', general > 0 ? 'here:' : ''].filter(Boolean).join(' and ');
  return `${total} field(s) not converted or approximated, ${general > 0 && perService === 0 ? 'listed here:' : where}${general > 0 ? '' : '.'}`;
}


const byName = (entries: Entry[], name: string): Entry | undefined => entries.find((e) => e.name === name);

export function composeError(file: string, line: number, message: string): HarnessError {
  const problem: ConfigProblem = { file, line, column: 1, path: '', message, severity: 'error' };
  return new HarnessError('CONFIG_INVALID', `${file}:${line}: ${message}`, { problems: [problem] });
}

/** Compose's default project name: the directory name, lower-cased, [a-z0-9_-] only. */
function composeProjectName(dir: string): string {
  const n = path.basename(dir).toLowerCase().replace(/[^a-z0-9_-]/g, '').replace(/^[^a-z0-9]+/, '');
  return n === '' ? 'compose' : n;
}

function profileList(node: CMap): string[] {
  const p = get(node, 'profiles');
  if (!p || p.kind !== 'seq') return [];
  return p.items.map((it) => scalarText(it)).filter((x): x is string => x !== undefined);
}

/** Harness names: Compose allows names Harness does not (a leading digit), and two names whose
 * variables collide (`my-api`, `my_api` → MY_API_ADDR); such services are renamed. */
function assignNames(entries: Entry[], losses: LossList): void {
  const prefixes = new Set<string>();
  for (const e of entries.filter((x) => x.included)) {
    let name = HARNESS_NAME.test(e.composeName) ? e.composeName : `svc-${e.composeName.replace(/[^A-Za-z0-9_.-]/g, '-')}`.slice(0, 63);
    let why = name === e.composeName ? '' : 'a Harness name starts with a letter and has letters, digits, "_", "." or "-"';
    for (let i = 2; prefixes.has(envPrefix(name)) && i < 1000; i++) {
      name = `${e.composeName.slice(0, 58)}-${i}`;
      why = `its variables (${envPrefix(e.composeName)}_ADDR) would collide with another service's`;
    }
    prefixes.add(envPrefix(name));
    if (name !== e.composeName) losses.approximated({ line: e.line, path: `services.${e.composeName}` }, `renamed to "${name}": ${why}`, name);
    e.name = name;
  }
}
