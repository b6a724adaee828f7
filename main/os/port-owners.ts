// Who holds a TCP port: the listening sockets from /proc/net/tcp{,6}, and the processes whose
// /proc/<pid>/fd links point at those sockets. Only processes this user may inspect are named
// (all of them as root); a socket without a visible owner is still reported.
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { readTcpListeners, type TcpListener } from './tcp-listeners.js';

export interface PortOwner {
  address: string;
  port: number;
  /** Undefined when the owning process is not visible to this user. */
  pid?: number;
  /** The owner's command line, spaces between arguments. */
  command?: string;
}

/**
 * The ports of `ports` that something listens on, found by trying to bind each (IPv4 wildcard,
 * then IPv6 wildcard), which the kernel answers at once. Reading /proc/net/tcp instead costs tens
 * of milliseconds on a machine with a few hundred sockets, too much for every start; it is only
 * read (by portOwners) to name the holder once a port is known to be taken. A port this user may
 * not bind (privileged) cannot be tested and counts as free.
 */
export async function takenPorts(ports: readonly number[]): Promise<number[]> {
  const results = await Promise.all(ports.map(async (port) => (await bindFails(port, '0.0.0.0')) || (await bindFails(port, '::')) ? port : null));
  return results.filter((p): p is number => p !== null);
}

function bindFails(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'EADDRINUSE'));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(false)));
  });
}

/** Listeners on any of `ports` right now, each with its owning process when it can be found. */
export function portOwners(ports: readonly number[], listeners: TcpListener[] = readTcpListeners()): PortOwner[] {
  const wanted = new Set(ports);
  const hits = listeners.filter((l) => wanted.has(l.port));
  if (hits.length === 0) return [];
  const byInode = new Map<number, { pid: number; command: string }>();
  const inodes = new Set(hits.map((h) => h.inode).filter((i): i is number => i !== undefined));
  if (inodes.size > 0) findSocketOwners(inodes, byInode);
  return hits.map((h) => {
    const owner = h.inode !== undefined ? byInode.get(h.inode) : undefined;
    return { address: h.address, port: h.port, ...(owner ? { pid: owner.pid, command: owner.command } : {}) };
  });
}

function findSocketOwners(inodes: Set<number>, out: Map<number, { pid: number; command: string }>): void {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return;
  }
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue; // gone, or not ours to look at
    }
    for (const fd of fds) {
      let link: string;
      try {
        link = readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      const m = /^socket:\[(\d+)\]$/.exec(link);
      if (!m || !inodes.has(Number(m[1])) || out.has(Number(m[1]))) continue;
      out.set(Number(m[1]), { pid: Number(pid), command: commandOf(pid) });
      if (out.size === inodes.size) return;
    }
  }
}

function commandOf(pid: string): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ') || '?';
  } catch {
    return '?';
  }
}

/** "port 6379 on 127.0.0.1 is held by pid 4242 (redis-server *:6379)". */
export function describePortOwner(o: PortOwner): string {
  const who = o.pid !== undefined ? `pid ${o.pid} (${o.command})` : 'a process of another user';
  return `port ${o.port} on ${o.address} is held by ${who}`;
}
