// `wg show all dump`: tab-separated lines, one per interface (name, PRIVATE KEY, public key,
// listen port, fwmark) and one per peer (interface, public key, PRESHARED KEY, endpoint,
// allowed-ips, latest handshake, rx, tx, keepalive). The private and preshared keys are dropped
// while parsing and the raw output is zeroed; neither the output nor a line of it ever goes into a
// message or a log.
import type { WireGuardInterfaceInfo, WireGuardPeerInfo } from '../../shared/network-types.js';
import { runCommand, type CommandRunner } from './ip-links.js';

export interface WgDump {
  status: 'ok' | 'wg-missing' | 'not-permitted' | 'failed';
  /** Why not ok, from wg's own error line (which names no key). */
  reason?: string;
  interfaces: WireGuardInterfaceInfo[];
}

const num = (s: string | undefined): number | undefined => {
  if (s === undefined || !/^\d+$/.test(s)) return undefined;
  return Number(s);
};

/** Parses the dump; lines of any other shape are skipped (and, like every line, never quoted). */
export function parseWgDump(dump: Buffer | string): WireGuardInterfaceInfo[] {
  const text = typeof dump === 'string' ? dump : dump.toString('utf8');
  const byName = new Map<string, WireGuardInterfaceInfo>();
  for (const line of text.split('\n')) {
    const f = line.split('\t');
    if (f.length === 5) {
      const [name, , publicKey, port] = f;
      const listenPort = num(port);
      byName.set(name, { name, addresses: [], ...(publicKey && publicKey !== '(none)' ? { publicKey } : {}), ...(listenPort ? { listenPort } : {}), peers: [], source: 'wg' });
    } else if (f.length === 9) {
      const [name, publicKey, , endpoint, allowed, handshake, rx, tx, keepalive] = f;
      const iface = byName.get(name);
      if (!iface) continue;
      const latest = num(handshake);
      const ka = num(keepalive);
      const peer: WireGuardPeerInfo = {
        publicKey,
        ...(endpoint && endpoint !== '(none)' ? { endpoint } : {}),
        allowedIps: allowed && allowed !== '(none)' ? allowed.split(',').filter(Boolean) : [],
        ...(latest ? { latestHandshake: latest } : {}),
        ...(num(rx) !== undefined ? { rxBytes: num(rx) } : {}),
        ...(num(tx) !== undefined ? { txBytes: num(tx) } : {}),
        ...(ka ? { persistentKeepalive: ka } : {}),
      };
      iface.peers.push(peer);
    }
  }
  return [...byName.values()];
}

/** wg's error line → a short reason; only the first line, and nothing that looks like a key. */
function reasonOf(stderr: string): string {
  const line = stderr.split('\n').find((l) => l.trim() !== '') ?? '';
  return line.replace(/[A-Za-z0-9+/]{42,43}=/g, '<key>').slice(0, 300).trim();
}

/** Runs `wg show all dump` (`wg` may be a longer argv, e.g. to drop privileges in tests). */
export async function readWgDump(run: CommandRunner = runCommand, wg: readonly string[] = ['wg']): Promise<WgDump> {
  const r = await run(wg[0], [...wg.slice(1), 'show', 'all', 'dump']);
  try {
    if (r.error === 'ENOENT') return { status: 'wg-missing', reason: `${wg[0]} is not installed (wireguard-tools)`, interfaces: [] };
    if (r.code !== 0) {
      const reason = reasonOf(r.stderr) || `wg exited with ${r.code ?? r.error}`;
      const denied = /permission denied|operation not permitted|must be run as root|access denied/i.test(r.stderr);
      return { status: denied ? 'not-permitted' : 'failed', reason, interfaces: [] };
    }
    return { status: 'ok', interfaces: parseWgDump(r.stdout) };
  } finally {
    r.stdout.fill(0);
  }
}
