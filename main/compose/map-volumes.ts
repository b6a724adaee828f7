// `volumes:` of a service (short and long syntax) to Harness "source:/target[:ro]" items, and
// file-based `secrets:` / `configs:` to the read-only bind mounts Compose itself makes of them.
import { get, type CMap, type CNode } from './compose-tree.js';
import type { ServiceScope } from './context.js';
import { scalarText } from './values.js';

const NAMED_VOLUME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const MODE_REASON: Record<string, string> = {
  z: 'SELinux relabelling (z) is not done by Harness',
  Z: 'SELinux relabelling (Z) is not done by Harness',
  cached: 'a macOS consistency hint with no effect on Linux',
  delegated: 'a macOS consistency hint with no effect on Linux',
  consistent: 'a macOS consistency hint with no effect on Linux',
  nocopy: 'Harness does not set nocopy (a new volume is filled from the image)',
};
const LONG_KEYS = new Set(['type', 'source', 'target', 'read_only', 'bind', 'volume', 'tmpfs', 'consistency']);

const isBindSource = (src: string): boolean => src.startsWith('.') || src.startsWith('/') || src.startsWith('~') || src.startsWith('$');

/** `named` collects the named volumes used, for the top-level declarations check. */
export function mapVolumes(n: CNode, s: ServiceScope, named: Set<string>): string[] {
  if (n.kind !== 'seq') {
    s.notConverted(n, 'expected a list of volumes');
    return [];
  }
  const out: string[] = [];
  for (const it of n.items) {
    const v = it.kind === 'map' ? longVolume(it, s, named) : shortVolume(it, s, named);
    if (v !== undefined) out.push(v);
  }
  return out;
}

function shortVolume(it: CNode, s: ServiceScope, named: Set<string>): string | undefined {
  const raw = scalarText(it);
  if (raw === undefined) {
    s.notConverted(it, 'expected "source:/target[:mode]" or a map {type, source, target}');
    return undefined;
  }
  const parts = raw.split(':');
  if (parts.length === 1) return s.refs(it, raw); // an anonymous volume: "/path"
  if (parts.length > 3) {
    s.notConverted(it, `"${raw}" has too many ":" (expected source:/target[:mode])`);
    return undefined;
  }
  const [src, target, mode] = parts;
  const kept: string[] = [];
  for (const flag of (mode ?? '').split(',').filter(Boolean)) {
    if (flag === 'ro' || flag === 'rw') kept.push(flag);
    else s.notConverted(it, `mode "${flag}": ${MODE_REASON[flag] ?? 'unknown volume mode'}`);
  }
  const source = source_(src, it, s, named);
  if (source === undefined) return undefined;
  return [source, s.refs(it, target), ...(kept.includes('ro') ? ['ro'] : [])].join(':');
}

function source_(src: string, at: CNode, s: ServiceScope, named: Set<string>): string | undefined {
  if (isBindSource(src)) return s.hostPath(at, s.refs(at, src));
  if (!NAMED_VOLUME.test(src)) {
    s.notConverted(at, `"${src}" is neither a path (./, ../, /, ~) nor a volume name`);
    return undefined;
  }
  named.add(src);
  return src;
}

function longVolume(m: CMap, s: ServiceScope, named: Set<string>): string | undefined {
  for (const e of m.entries) if (!LONG_KEYS.has(e.key)) s.notConverted(s.child(m, e.key), `unknown volume field "${e.key}"`);
  const type = scalarText(get(m, 'type')) ?? 'volume';
  const target = scalarText(get(m, 'target'));
  const source = scalarText(get(m, 'source'));
  if (target === undefined) {
    s.notConverted(m, 'a long-syntax volume needs "target"');
    return undefined;
  }
  if (type === 'tmpfs' || type === 'npipe' || type === 'cluster' || type === 'image') {
    s.notConverted(m, `a ${type} mount; Harness mounts bind and named volumes only`);
    return undefined;
  }
  if (type !== 'bind' && type !== 'volume') {
    s.notConverted(s.child(m, 'type'), `unknown volume type "${type}"`);
    return undefined;
  }
  const ro = get(m, 'read_only');
  const readOnly = ro?.kind === 'scalar' && (ro.value === true || ro.value === 'true');
  if (get(m, 'consistency')) s.notConverted(s.child(m, 'consistency'), 'a macOS consistency hint with no effect on Linux');
  for (const [k, why] of [
    ['bind', 'bind options'],
    ['volume', 'volume options'],
    ['tmpfs', 'tmpfs options'],
  ] as const) {
    const sub = get(m, k);
    if (!sub) continue;
    if (sub.kind !== 'map') {
      s.notConverted(s.child(m, k), `expected a map of ${why}`);
      continue;
    }
    for (const e of sub.entries) {
      if (k === 'bind' && e.key === 'create_host_path' && !(e.value.kind === 'scalar' && e.value.value === true)) continue;
      const reason =
        k === 'bind' && e.key === 'create_host_path'
          ? 'Harness does not create a missing host directory (the container fails to start)'
          : k === 'bind' && e.key === 'selinux'
            ? 'SELinux relabelling is not done by Harness'
            : k === 'volume' && e.key === 'nocopy'
              ? MODE_REASON.nocopy
              : `${why.slice(0, -1)} "${e.key}" is not supported by Harness`;
      s.notConverted(s.child(sub, e.key), reason);
    }
  }
  const tgt = s.refs(m, target);
  const suffix = readOnly ? ':ro' : '';
  if (type === 'volume' && (source === undefined || source === '')) return `${tgt}${suffix}`;
  if (source === undefined) {
    s.notConverted(m, 'a bind mount needs "source"');
    return undefined;
  }
  if (type === 'bind') return `${s.hostPath(m, s.refs(m, source))}:${tgt}${suffix}`;
  const src = source_(source, m, s, named);
  return src === undefined ? undefined : `${src}:${tgt}${suffix}`;
}

/** A file-based secret or config: its host file (as written in the top-level declaration). */
export interface FileObject {
  file: string;
  line: number;
  path: string;
}

/**
 * Service `secrets:` / `configs:` references. Compose bind-mounts a file-based one read-only at
 * /run/secrets/<name> (secrets) or /<name> (configs), or at `target`; Harness gets the same mount.
 * Others (environment, external, inline content) are reported where they are declared and here.
 */
export function mapFileMounts(
  n: CNode,
  s: ServiceScope,
  kind: 'secret' | 'config',
  declared: Map<string, FileObject | string>,
): string[] {
  if (n.kind !== 'seq') {
    s.notConverted(n, `expected a list of ${kind}s`);
    return [];
  }
  const out: string[] = [];
  for (const it of n.items) {
    let name: string | undefined;
    let target: string | undefined;
    if (it.kind === 'map') {
      name = scalarText(get(it, 'source'));
      target = scalarText(get(it, 'target'));
      for (const e of it.entries) {
        if (e.key === 'source' || e.key === 'target') continue;
        s.notConverted(
          s.child(it, e.key),
          e.key === 'uid' || e.key === 'gid' || e.key === 'mode'
            ? `the ${kind} is bind-mounted with the host file's owner and mode`
            : `unknown ${kind} field "${e.key}"`,
        );
      }
    } else name = scalarText(it);
    if (name === undefined) {
      s.notConverted(it, `expected a ${kind} name or a map {source, target}`);
      continue;
    }
    const decl = declared.get(name);
    if (decl === undefined) {
      s.notConverted(it, `${kind} "${name}" is not declared under the top-level ${kind}s`);
      continue;
    }
    if (typeof decl === 'string') {
      s.notConverted(it, `${kind} "${name}" is not file-based (${decl}); nothing is mounted`);
      continue;
    }
    const base = kind === 'secret' ? '/run/secrets' : '';
    const dest = target === undefined ? `${base}/${name}` : target.startsWith('/') ? target : `${base}/${target}`;
    // A bind source must look like a path to Harness (`pw.txt` alone would be a volume name).
    const file = isBindSource(decl.file) ? decl.file : `./${decl.file}`;
    out.push(`${s.hostPath(decl, file)}:${dest}:ro`);
  }
  return out;
}
