// Top-level declarations: secrets and configs (file-based ones are mounted by the services that
// use them), volumes and networks (Harness has one bridge network and project-scoped volumes).
import { childPath, get, type CMap } from './compose-tree.js';
import { ServiceScope, type ConvertContext } from './context.js';
import type { Entry } from './convert-compose.js';
import type { LossList } from './losses.js';
import type { FileObject } from './map-volumes.js';
import { scalarText } from './values.js';

/** Top-level secrets/configs: file-based ones become bind mounts where services use them. */
export function declarations(root: CMap, kind: 'secrets' | 'configs', losses: LossList): Map<string, FileObject | string> {
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

export function topLevelVolumes(root: CMap, losses: LossList): void {
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
export function networks(root: CMap, services: Entry[], ctx: ConvertContext): void {
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
