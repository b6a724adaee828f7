// `ports:` (short and long syntax) to Harness Docker port items. Harness has no ranges, so a
// range is written out port by port; a port without a host port keeps Compose's meaning (the
// engine picks a free host port) as "127.0.0.1::C". Harness publishes on 127.0.0.1 unless an
// address is given (Compose: every interface) — a general difference, see docs/compose-import.md.
import { get, type CNode } from './compose-tree.js';
import type { ServiceScope } from './context.js';
import { scalarText } from './values.js';

const SHORT = /^(?:(\d{1,3}(?:\.\d{1,3}){3}|\[[0-9A-Fa-f:.]+\]):)?(?:(\d*(?:-\d+)?):)?(\d+(?:-\d+)?)(?:\/([A-Za-z]+))?$/;
const MAX_EXPANDED = 100;
const LONG_KEYS = new Set(['target', 'published', 'host_ip', 'protocol', 'mode']);

export function mapPorts(n: CNode, s: ServiceScope): string[] {
  if (n.kind !== 'seq') {
    s.notConverted(n, 'expected a list of ports');
    return [];
  }
  const out: string[] = [];
  for (const it of n.items) {
    if (it.kind === 'map') out.push(...longPort(it, s));
    else {
      const raw = scalarText(it);
      if (raw === undefined) s.notConverted(it, 'expected a port ("8080:80") or a map {target, published}');
      else out.push(...shortPort(raw, it, s));
    }
  }
  return out;
}

function shortPort(raw: string, at: CNode, s: ServiceScope): string[] {
  const text = raw.trim();
  // A variable may stand for any part: Harness checks the value when it loads the file.
  if (text.includes('$')) return [s.refs(at, text)];
  const m = SHORT.exec(text);
  if (!m) {
    s.notConverted(at, `"${text}" is not a port Harness understands ([ip:][host:]container[/protocol])`);
    return [];
  }
  return expand({ ip: m[1], host: m[2] === undefined || m[2] === '' ? undefined : m[2], container: m[3], protocol: m[4] }, at, s);
}

function longPort(m: CNode & { kind: 'map' }, s: ServiceScope): string[] {
  for (const e of m.entries) {
    if (!LONG_KEYS.has(e.key)) {
      s.notConverted(s.child(m, e.key), e.key === 'app_protocol' || e.key === 'name' ? 'port metadata; Harness does not keep it' : `unknown port field "${e.key}"`);
    }
  }
  const target = scalarText(get(m, 'target'));
  if (target === undefined) {
    s.notConverted(m, 'a long-syntax port needs "target"');
    return [];
  }
  const published = scalarText(get(m, 'published'));
  const hostIp = scalarText(get(m, 'host_ip'));
  const protocol = scalarText(get(m, 'protocol'));
  const mode = scalarText(get(m, 'mode'));
  if (mode === 'host') s.approximated(s.child(m, 'mode'), 'Harness publishes through the engine as usual (mode "host" is a Swarm setting)');
  const ip = hostIp === undefined ? undefined : hostIp.includes(':') && !hostIp.startsWith('[') ? `[${hostIp}]` : hostIp;
  if ([target, published, hostIp].some((v) => v?.includes('$'))) {
    const ipPart = ip !== undefined ? `${ip}:` : published === undefined ? '127.0.0.1:' : '';
    const hostPart = published !== undefined ? `${published}:` : ':';
    const proto = protocol && protocol !== 'tcp' ? `/${protocol}` : '';
    return [s.refs(m, `${ipPart}${hostPart}${target}${proto}`)];
  }
  return expand({ ip, host: published === '' ? undefined : published, container: target, protocol }, m, s);
}

interface PortParts {
  ip?: string;
  host?: string;
  container: string;
  protocol?: string;
}

function range(text: string): [number, number] | null {
  const [a, b] = text.split('-');
  const lo = Number(a);
  const hi = b === undefined ? lo : Number(b);
  if (!Number.isInteger(lo) || !Number.isInteger(hi) || lo < 1 || hi > 65535 || hi < lo) return null;
  return [lo, hi];
}

function expand(p: PortParts, at: CNode, s: ServiceScope): string[] {
  const proto = p.protocol?.toLowerCase();
  if (proto !== undefined && proto !== 'tcp' && proto !== 'udp') {
    s.notConverted(at, `protocol "${p.protocol}" is not supported by Harness (tcp and udp only)`);
    return [];
  }
  const suffix = proto === 'udp' ? '/udp' : '';
  const c = range(p.container);
  const h = p.host === undefined ? undefined : range(p.host);
  if (!c || h === null) {
    s.notConverted(at, `port "${p.host ? `${p.host}:` : ''}${p.container}" is out of range (1-65535)`);
    return [];
  }
  const count = c[1] - c[0] + 1;
  if (count > MAX_EXPANDED) {
    s.notConverted(at, `a range of ${count} ports; Harness has no port ranges and writes out at most ${MAX_EXPANDED}`);
    return [];
  }
  // Without a host port the engine picks one, as in Compose; the address must then be written.
  const ip = p.ip ?? (h === undefined ? '127.0.0.1' : undefined);
  const item = (host: number | undefined, container: number): string =>
    `${ip ? `${ip}:` : ''}${host === undefined ? (ip ? ':' : '') : `${host}:`}${container}${suffix}`;
  if (h === undefined) return Array.from({ length: count }, (_, i) => item(undefined, c[0] + i));
  const hostCount = h[1] - h[0] + 1;
  if (hostCount === count) return Array.from({ length: count }, (_, i) => item(h[0] + i, c[0] + i));
  if (count === 1) {
    s.approximated(at, `Compose picks a free host port in ${h[0]}-${h[1]}; Harness always publishes ${h[0]}`);
    return [item(h[0], c[0])];
  }
  s.notConverted(at, `host range ${h[0]}-${h[1]} and container range ${c[0]}-${c[1]} differ in length`);
  return [];
}
