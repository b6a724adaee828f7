// Which addresses a port is listened on, on a remote host: its /proc/net/tcp{,6} read over the
// shared SFTP session (no command runs), parsed like this machine's own. Tells when a remote
// service listens only on 127.0.0.1, so a local dependent needs a tunnel. Cached briefly per host,
// so many services probing at once cost one read.
import { parseProcNetTcp, type TcpListener } from '../../os/tcp-listeners.js';
import type { SshHost } from '../../ssh/index.js';

const TTL_MS = 300;

export class RemoteListeners {
  private readonly cache = new Map<string, { at: number; value: Promise<TcpListener[]> }>();

  /** `fresh`: not from the cache (before a start, which must see a port freed a moment ago). */
  read(host: SshHost, signal?: AbortSignal, opts: { fresh?: boolean } = {}): Promise<TcpListener[]> {
    const hit = this.cache.get(host.key);
    if (hit && !opts.fresh && Date.now() - hit.at < TTL_MS) return hit.value;
    const value = (async () => {
      const [v4, v6] = await Promise.all([
        host.files.readFile('/proc/net/tcp', { signal }).catch(() => Buffer.alloc(0)),
        host.files.readFile('/proc/net/tcp6', { signal }).catch(() => Buffer.alloc(0)),
      ]);
      return [...parseProcNetTcp(v4.toString('latin1'), false), ...parseProcNetTcp(v6.toString('latin1'), true)];
    })();
    this.cache.set(host.key, { at: Date.now(), value });
    value.catch(() => this.cache.delete(host.key));
    return value;
  }
}
