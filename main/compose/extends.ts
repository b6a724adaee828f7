// `extends` within the compose file: the base service's fields merged under the service's own,
// as Compose merges them for the common cases — maps merge key by key (the service wins),
// `environment`/`labels` merge by variable whether written as maps or KEY=VALUE lists, list fields
// such as `ports` and `env_file` are concatenated, `volumes` too except where the service mounts
// the same container path, anything else is replaced. Inherited fields keep the base's lines, so
// a loss points at the text that caused it. `extends.file` (another file) is reported.
import { childPath, get, rebase, type CEntry, type CMap, type CNode, type CSeq } from './compose-tree.js';
import type { LossList } from './losses.js';
import { scalarText } from './values.js';

const CONCAT = new Set(['ports', 'expose', 'external_links', 'dns', 'dns_search', 'dns_opt', 'tmpfs', 'cap_add', 'cap_drop', 'env_file', 'secrets', 'configs', 'devices', 'links', 'profiles']);
const BY_KEY = new Set(['environment', 'labels', 'annotations']);

/** Service nodes by compose name, with `extends` resolved and removed. */
export function resolveExtends(services: CMap, losses: LossList): Map<string, CNode> {
  const out = new Map<string, CNode>();
  const byName = new Map(services.entries.map((e) => [e.key, e.value]));
  const resolve = (name: string, stack: string[]): CNode | undefined => {
    const done = out.get(name);
    if (done) return done;
    const node = byName.get(name);
    if (!node || node.kind !== 'map') return node;
    const ext = node.entries.find((e) => e.key === 'extends');
    if (!ext) {
      out.set(name, node);
      return node;
    }
    const own: CMap = { ...node, entries: node.entries.filter((e) => e !== ext) };
    const at = { line: ext.line, path: childPath(node.path, 'extends') };
    const baseName = ext.value.kind === 'map' ? scalarText(get(ext.value, 'service')) : scalarText(ext.value);
    let result: CNode = own;
    if (ext.value.kind === 'map' && get(ext.value, 'file')) {
      losses.notConverted(at, `extends.file: Harness does not read other compose files; only the fields written here for ${name} are imported`, name);
    } else if (baseName === undefined) {
      losses.notConverted(at, 'expected a service name or a map {service}', name);
    } else if (stack.includes(baseName) || baseName === name) {
      losses.notConverted(at, `extends loops (${[...stack, name, baseName].join(' -> ')}); the base is not merged`, name);
    } else {
      const base = resolve(baseName, [...stack, name]);
      if (!base) losses.notConverted(at, `no service "${baseName}" in the file to extend`, name);
      else if (base.kind === 'map') result = merge(rebase(base, node.path) as CMap, own);
    }
    out.set(name, result);
    return result;
  };
  for (const e of services.entries) resolve(e.key, []);
  return out;
}

function merge(base: CMap, own: CMap): CMap {
  const entries: CEntry[] = [];
  for (const b of base.entries) {
    const o = own.entries.find((e) => e.key === b.key);
    entries.push(o ? { ...o, value: mergeField(b.key, b.value, o.value) } : b);
  }
  for (const o of own.entries) if (!base.entries.some((b) => b.key === o.key)) entries.push(o);
  return { ...own, entries };
}

function mergeField(key: string, base: CNode, own: CNode): CNode {
  if (BY_KEY.has(key)) {
    const b = asMap(base);
    const o = asMap(own);
    if (b && o) return merge(b, o);
  }
  if (base.kind === 'seq' && own.kind === 'seq') {
    if (CONCAT.has(key)) return reindex(own, [...base.items, ...own.items]);
    if (key === 'volumes') {
      const mine = new Set(own.items.map(mountTarget));
      return reindex(own, [...base.items.filter((it) => !mine.has(mountTarget(it))), ...own.items]);
    }
  }
  if (base.kind === 'map' && own.kind === 'map') return merge(base, own);
  return own;
}

/** `KEY=VALUE` lists as maps, so both forms merge by variable. */
function asMap(n: CNode): CMap | undefined {
  if (n.kind === 'map') return n;
  if (n.kind !== 'seq') return undefined;
  const entries: CEntry[] = [];
  for (const it of n.items) {
    const t = scalarText(it);
    if (t === undefined) return undefined;
    const eq = t.indexOf('=');
    const key = eq < 0 ? t : t.slice(0, eq);
    const value: CNode = { kind: 'scalar', line: it.line, path: childPath(n.path, key), value: eq < 0 ? null : t.slice(eq + 1) };
    entries.push({ key, line: it.line, value });
  }
  return { kind: 'map', line: n.line, path: n.path, entries };
}

function mountTarget(n: CNode): string | undefined {
  if (n.kind === 'map') return scalarText(get(n, 'target'));
  const parts = (scalarText(n) ?? '').split(':');
  return parts.length === 1 ? parts[0] : parts[1];
}

function reindex(seq: CSeq, items: CNode[]): CSeq {
  return { ...seq, items: items.map((it, i) => rebase(it, childPath(seq.path, i))) };
}
