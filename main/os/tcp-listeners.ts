// Which local addresses a TCP port is listened on, from /proc/net/tcp{,6}. Used to warn when a
// process that containers or remote hosts depend on listens only on loopback, and to name the
// program that already holds a port a service is about to need.
import { readFileSync } from 'node:fs';

export interface TcpListener {
  address: string;
  port: number;
  /** The socket's inode (column 10), which /proc/<pid>/fd links name as `socket:[inode]`. */
  inode?: number;
}

const LISTEN = '0A';

function ipv4(hex: string): string {
  // /proc stores the address as a little-endian 32-bit number.
  const n = Number.parseInt(hex, 16);
  return [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, (n >>> 24) & 255].join('.');
}

function ipv6(hex: string): string {
  if (/^0+$/.test(hex)) return '::';
  if (hex === '00000000000000000000000001000000') return '::1';
  if (hex.startsWith('0000000000000000FFFF0000')) return ipv4(hex.slice(24));
  const words: string[] = [];
  for (let i = 0; i < 32; i += 8) {
    const w = hex.slice(i, i + 8);
    const le = w.slice(6, 8) + w.slice(4, 6) + w.slice(2, 4) + w.slice(0, 2);
    words.push(le.slice(0, 4), le.slice(4, 8));
  }
  return words.map((w) => w.replace(/^0+(?=.)/, '').toLowerCase()).join(':');
}

export function parseProcNetTcp(text: string, v6: boolean): TcpListener[] {
  const out: TcpListener[] = [];
  for (const line of text.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 4 || cols[3] !== LISTEN) continue;
    const [addr, port] = cols[1].split(':');
    const inode = Number(cols[9]);
    out.push({ address: v6 ? ipv6(addr) : ipv4(addr), port: Number.parseInt(port, 16), ...(Number.isInteger(inode) && inode > 0 ? { inode } : {}) });
  }
  return out;
}

/** Current TCP listeners of this network namespace; empty when /proc is not available. */
export function readTcpListeners(): TcpListener[] {
  const read = (file: string, v6: boolean): TcpListener[] => {
    try {
      return parseProcNetTcp(readFileSync(file, 'utf8'), v6);
    } catch {
      return [];
    }
  };
  return [...read('/proc/net/tcp', false), ...read('/proc/net/tcp6', true)];
}

/** True when port is listened on, but only on loopback addresses. */
export function loopbackOnly(listeners: TcpListener[], port: number): boolean {
  const on = listeners.filter((l) => l.port === port);
  return on.length > 0 && on.every((l) => l.address.startsWith('127.') || l.address === '::1');
}
