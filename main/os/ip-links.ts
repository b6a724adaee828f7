// This network namespace's links with their kind and addresses (`ip -j -d addr`), and the device a
// route lookup picks for an address (`ip -j route get`, a lookup that sends nothing). Both work
// without privileges.
import { execFile } from 'node:child_process';

export interface LinkAddress {
  address: string;
  prefixLen: number;
  family: 4 | 6;
  scope?: string;
}

export interface LinkInfo {
  name: string;
  index: number;
  /** `linkinfo.info_kind`: 'wireguard' (kernel), 'tun' (wireguard-go and other userspace
   * tunnels), 'veth', 'bridge'…; absent for plain hardware links. */
  kind?: string;
  up: boolean;
  addresses: LinkAddress[];
}

export interface CommandResult {
  /** null when the program could not be run (see `error`). */
  code: number | null;
  stdout: Buffer;
  stderr: string;
  /** e.g. ENOENT when the program is missing. */
  error?: string;
}

export type CommandRunner = (file: string, args: string[]) => Promise<CommandResult>;

const MAX_OUTPUT = 16 * 1024 * 1024;

/** Runs a program without a shell, bounded in time and output. Never throws. */
export const runCommand: CommandRunner = (file, args) =>
  new Promise((resolve) => {
    execFile(file, args, { encoding: 'buffer', timeout: 10_000, maxBuffer: MAX_OUTPUT, env: { ...process.env, LC_ALL: 'C' } }, (err, stdout, stderr) => {
      const e = err as (NodeJS.ErrnoException & { code?: string | number; killed?: boolean }) | null;
      resolve({
        code: e ? (typeof e.code === 'number' ? e.code : null) : 0,
        stdout: stdout ?? Buffer.alloc(0),
        stderr: (stderr ?? Buffer.alloc(0)).toString('utf8').slice(0, 4000),
        ...(e && typeof e.code === 'string' ? { error: e.code } : {}),
        ...(e && e.killed ? { error: 'TIMEOUT' } : {}),
      });
    });
  });

interface IpAddrJson {
  ifindex?: number;
  ifname?: string;
  flags?: string[];
  operstate?: string;
  linkinfo?: { info_kind?: string };
  addr_info?: Array<{ family?: string; local?: string; prefixlen?: number; scope?: string }>;
}

/** `ip -j -d addr` output → links. Entries without a name are skipped. */
export function parseIpAddr(json: string): LinkInfo[] {
  const data = JSON.parse(json) as IpAddrJson[];
  if (!Array.isArray(data)) throw new Error('ip -j addr: expected a JSON array');
  const out: LinkInfo[] = [];
  for (const l of data) {
    if (typeof l.ifname !== 'string') continue;
    const addresses: LinkAddress[] = [];
    for (const a of l.addr_info ?? []) {
      if (typeof a.local !== 'string' || typeof a.prefixlen !== 'number') continue;
      if (a.family !== 'inet' && a.family !== 'inet6') continue;
      addresses.push({ address: a.local, prefixLen: a.prefixlen, family: a.family === 'inet' ? 4 : 6, ...(a.scope ? { scope: a.scope } : {}) });
    }
    out.push({
      name: l.ifname,
      index: l.ifindex ?? 0,
      ...(l.linkinfo?.info_kind ? { kind: l.linkinfo.info_kind } : {}),
      up: (l.flags ?? []).includes('UP'),
      addresses,
    });
  }
  return out;
}

/** This namespace's links. Throws when `ip` cannot be run or answers nonsense. */
export async function readLinks(run: CommandRunner = runCommand): Promise<LinkInfo[]> {
  const r = await run('ip', ['-j', '-d', 'addr', 'show']);
  if (r.code !== 0) throw new Error(`ip -j -d addr show failed${r.error ? ` (${r.error})` : ''}: ${r.stderr.trim()}`);
  return parseIpAddr(r.stdout.toString('utf8'));
}

/** The device the kernel would send traffic for `address` out of, or null (no route, or `ip`
 * missing). A lookup only: nothing is sent. */
export async function routeDevice(address: string, run: CommandRunner = runCommand): Promise<string | null> {
  const r = await run('ip', ['-j', 'route', 'get', address]);
  if (r.code !== 0) return null;
  try {
    const data = JSON.parse(r.stdout.toString('utf8')) as Array<{ dev?: string; type?: string }>;
    const first = data[0];
    return first && typeof first.dev === 'string' && first.type !== 'unreachable' ? first.dev : null;
  } catch {
    return null;
  }
}
