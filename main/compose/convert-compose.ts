// A docker-compose file (Compose spec, v2/v3) to services.yaml text plus the exact list of what
// could not be carried over. Pure apart from `readText` (env files), so tests drive it directly.
import path from 'node:path';
import { envPrefix, type ConfigProblem } from '../../shared/config-types.js';
import { HarnessError } from '../../shared/errors.js';
import type { Env } from '../config/interpolate.js';
import { childPath, get, parseComposeTree, type CMap } from './compose-tree.js';
import { ServiceScope, type ConvertContext } from './context.js';
import { LossList, type Loss } from './losses.js';
import { mapService, toPlain } from './map-service.js';
import type { FileObject } from './map-volumes.js';
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

interface Entry {
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
  const entries: Entry[] = [];
  for (const e of servicesNode.entries) {
    const node = e.value;
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
  const lossLines = sorted.map((l) => formatLine(display, l));
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
    ...general.map((l) => `  ${formatLine(display, l)}`),
  ];
  const text2 = renderServicesYaml({ header, name: projectName, extensions, services: rendered });
  return { text: text2, losses: sorted, lossLines, services: rendered.map((r) => r.name) };
}

function summaryLine(total: number, perService: number, general: number): string {
  if (total === 0) return 'Nothing was lost in the conversion.';
  const where = [perService > 0 ? 'listed above their services' : '', general > 0 ? 'here:' : ''].filter(Boolean).join(' and ');
  return `${total} field(s) not converted or approximated, ${general > 0 && perService === 0 ? 'listed here:' : where}${general > 0 ? '' : '.'}`;
}

function formatLine(display: string, l: Loss): string {
  return `${display}${l.line > 0 ? `:${l.line}` : ''}: ${l.path}: ${l.kind}: ${l.message}`;
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

function dependencies(
  s: ServiceScope,
  byCompose: Map<string, Entry>,
  mapped: Map<string, { healthy: boolean; entry: Entry }>,
): string[] {
  const deps: string[] = [];
  const add = (dep: string, at: { line: number; path: string }, condition: string, required: boolean): void => {
    const entry = byCompose.get(dep);
    if (!entry) {
      s.notConverted(at, `no service "${dep}" in the file`);
      return;
    }
    if (!entry.included) {
      s.notConverted(at, `${dep} is only in profile(s) ${entry.profiles.join(', ')}, which were not selected; the dependency is dropped`);
      return;
    }
    const m = mapped.get(dep);
    if (!m) {
      s.notConverted(at, `${dep} is not imported; the dependency is dropped`);
      return;
    }
    if (deps.includes(m.entry.name)) return;
    deps.push(m.entry.name);
    if (!required) s.approximated(at, `Harness has no optional dependencies: ${s.name} waits for ${m.entry.name}`);
    if (condition === 'service_started' && m.healthy) {
      s.approximated(at, `service_started: Harness starts ${s.name} once ${m.entry.name} is healthy (its health check), not as soon as it has started`);
    } else if (condition === 'service_completed_successfully') {
      s.approximated(at, `service_completed_successfully: Harness has no "completed" condition; ${s.name} starts once ${m.entry.name} is ready (${m.healthy ? 'healthy' : 'running'}), not after it exited with status 0`);
    } else if (condition !== 'service_started' && condition !== 'service_healthy') {
      s.notConverted(at, `unknown condition "${condition}"; ${s.name} waits until ${m.entry.name} is ready`);
    }
  };
  const dependsOn = get(s.node, 'depends_on');
  if (dependsOn?.kind === 'seq') {
    for (const it of dependsOn.items) {
      const d = scalarText(it);
      if (d === undefined) s.notConverted(it, 'expected a service name');
      else add(d, it, 'service_started', true);
    }
  } else if (dependsOn?.kind === 'map') {
    for (const e of dependsOn.entries) {
      const at = { line: e.line, path: childPath(dependsOn.path, e.key) };
      let condition = 'service_started';
      let required = true;
      if (e.value.kind === 'map') {
        for (const f of e.value.entries) {
          const v = scalarText(f.value);
          const fat = { line: f.line, path: childPath(at.path, f.key) };
          if (f.key === 'condition') condition = v ?? condition;
          else if (f.key === 'required') required = !(f.value.kind === 'scalar' && (f.value.value === false || v === 'false'));
          else if (f.key === 'restart') {
            if (v === 'true') s.notConverted(fat, `Harness does not restart ${s.name} when ${e.key} restarts`);
          } else s.notConverted(fat, `unknown depends_on field "${f.key}"`);
        }
      }
      add(e.key, at, condition, required);
    }
  } else if (dependsOn && !(dependsOn.kind === 'scalar' && dependsOn.value === null)) {
    s.notConverted(dependsOn, 'expected a list of service names or a map of conditions');
  }
  const links = get(s.node, 'links');
  if (links?.kind === 'seq') {
    for (const it of links.items) {
      const t = scalarText(it);
      if (t === undefined) continue;
      const [dep, alias] = t.split(':');
      add(dep, it, 'service_started', true);
      const name = byCompose.get(dep)?.name ?? dep;
      if (alias !== undefined && alias !== dep) s.notConverted(it, `alias "${alias}": containers reach ${name} by its service name only`);
    }
  } else if (links) s.notConverted(links, 'expected a list of service names');
  return deps;
}

/** Top-level secrets/configs: file-based ones become bind mounts where services use them. */
function declarations(root: CMap, kind: 'secrets' | 'configs', losses: LossList): Map<string, FileObject | string> {
  const out = new Map<string, FileObject | string>();
  const n = get(root, kind);
  if (!n) return out;
  if (n.kind !== 'map') {
    losses.notConverted(n, 'expected a map');
    return out;
  }
  const what = kind === 'secrets' ? 'secret' : 'config';
  for (const e of n.entries) {
    const path_ = childPath(kind, e.key);
    if (e.value.kind !== 'map') {
      losses.notConverted({ line: e.line, path: path_ }, `expected a map {file}`);
      out.set(e.key, 'not a map');
      continue;
    }
    const file = scalarText(get(e.value, 'file'));
    let why: string | undefined;
    for (const f of e.value.entries) {
      const at = { line: f.line, path: childPath(path_, f.key) };
      if (f.key === 'file') continue;
      if (f.key === 'environment') why = `from the environment variable ${scalarText(f.value) ?? '?'}`;
      else if (f.key === 'external') {
        if (scalarText(f.value) === 'false') continue;
        why = 'external';
      }
      else if (f.key === 'content') why = 'inline content';
      else {
        losses.notConverted(at, f.key === 'name' ? `Harness mounts the ${what} by its key "${e.key}"` : `${what} field "${f.key}" has no Harness equivalent`);
        continue;
      }
      losses.notConverted(at, `a ${what} ${why === 'external' ? 'managed outside the project (external)' : why === 'inline content' ? 'with inline content' : why}: Harness mounts only file-based ${kind}, so services get no ${what} "${e.key}"`);
    }
    if (file !== undefined && why === undefined) out.set(e.key, { file, line: e.line, path: childPath(path_, 'file') });
    else out.set(e.key, why ?? 'no file');
  }
  return out;
}

function topLevelVolumes(root: CMap, losses: LossList): void {
  const n = get(root, 'volumes');
  if (!n || n.kind !== 'map') return;
  for (const e of n.entries) {
    if (e.value.kind !== 'map') continue;
    for (const f of e.value.entries) {
      const at = { line: f.line, path: childPath(childPath('volumes', e.key), f.key) };
      const v = scalarText(f.value);
      if (f.key === 'driver' && v === 'local') continue;
      const why: Record<string, string> = {
        driver: 'Harness creates volumes with the local driver',
        driver_opts: 'Harness creates plain local volumes (no driver options)',
        external: `Harness creates its own project volume for "${e.key}" instead of using an existing one; copy the data over if you need it`,
        name: `Harness names the volume after the project and "${e.key}"`,
        labels: 'Harness sets its own volume labels only',
      };
      if (f.key === 'external' && !(f.value.kind === 'scalar' && (f.value.value === true || v === 'true'))) continue;
      losses.notConverted(at, why[f.key] ?? `unknown volume field "${f.key}"`);
    }
  }
}

/** Every Harness container joins one project network; custom networks are reported. */
function networks(root: CMap, services: Entry[], ctx: ConvertContext): void {
  const { losses } = ctx;
  const used = new Set<string>();
  for (const e of services) {
    const n = get(e.node, 'networks');
    if (!n) {
      // network_mode (reported with the service) replaces networking altogether.
      if (!get(e.node, 'network_mode')) used.add('default');
      continue;
    }
    const s = new ServiceScope(ctx, e.name, e.node);
    if (n.kind === 'seq') for (const it of n.items) used.add(scalarText(it) ?? '?');
    else if (n.kind === 'map') {
      for (const net of n.entries) {
        used.add(net.key);
        if (net.value.kind !== 'map') continue;
        for (const f of net.value.entries) {
          const at = { line: f.line, path: childPath(childPath(n.path, net.key), f.key) };
          s.notConverted(
            at,
            f.key === 'aliases'
              ? `containers reach ${e.name} by its service name only`
              : f.key === 'ipv4_address' || f.key === 'ipv6_address' || f.key === 'link_local_ips'
                ? 'Harness lets the engine assign addresses'
                : `network field "${f.key}" has no Harness equivalent`,
          );
        }
      }
    } else s.notConverted(n, 'expected a list or a map of networks');
  }
  const top = get(root, 'networks');
  if (top?.kind === 'map') {
    for (const e of top.entries) {
      if (e.value.kind !== 'map') continue;
      for (const f of e.value.entries) {
        const at = { line: f.line, path: childPath(childPath('networks', e.key), f.key) };
        const v = scalarText(f.value);
        if (f.key === 'driver' && v === 'bridge') continue;
        if ((f.key === 'external' || f.key === 'internal' || f.key === 'attachable' || f.key === 'enable_ipv6') && v === 'false') continue;
        const why: Record<string, string> = {
          driver: `network driver "${v ?? ''}": Harness creates one bridge network per project`,
          driver_opts: 'Harness creates its bridge network without driver options',
          ipam: 'Harness lets the engine choose the subnet and addresses',
          external: 'Harness does not join networks outside the project',
          internal: 'the project network is not internal: containers can reach outside',
          attachable: 'a Swarm setting',
          enable_ipv6: 'Harness creates an IPv4 network',
          enable_ipv4: 'Harness creates an IPv4 network',
          name: 'Harness names the network harness-<project>',
          labels: 'Harness sets its own network labels only',
        };
        losses.notConverted(at, why[f.key] ?? `unknown network field "${f.key}"`);
      }
    }
  }
  if (used.size > 1) {
    const at: { line: number; path: string } = top ? { line: root.entries.find((e) => e.key === 'networks')?.line ?? 0, path: 'networks' } : { line: 0, path: 'networks' };
    losses.approximated(at, `every service joins the one project network harness-<project>: the separation between ${[...used].sort().join(', ')} is not kept`);
  }
}

