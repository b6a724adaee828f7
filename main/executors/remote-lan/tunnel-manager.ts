// The tunnels of a project, one per (host, far end), shared by every edge that needs it and kept
// for the project's lifetime (a dependent restarted later finds the same port, which is what its
// environment holds):
// - a remote forward on host H to a local port (`ssh -R`): remote services on H reach something
//   on this machine (a process listening on 127.0.0.1, a container published on 127.0.0.1) at
//   127.0.0.1:<port> on their own host;
// - a local forward to H's loopback (`ssh -L`): this machine reaches a service on H that listens
//   only on 127.0.0.1 there, at 127.0.0.1:<port> here.
// Both ride the host's primary SSH connection; remote forwards come back, at the same port, when
// the connection is re-made.
import type { EdgeTunnel } from '../../../shared/network-types.js';
import type { LocalForward, RemoteForward, SshHost } from '../../ssh/index.js';

export interface Endpoint {
  host: string;
  port: number;
}

const keyOf = (hostKey: string, e: Endpoint) => `${hostKey}|${e.host}:${e.port}`;

export class TunnelManager {
  private readonly remote = new Map<string, Promise<RemoteForward>>();
  private readonly local = new Map<string, Promise<LocalForward>>();
  private readonly remoteDone = new Map<string, RemoteForward>();
  private readonly localDone = new Map<string, LocalForward>();

  /** A port on `host` whose connections reach `target` here; `preferPort` asks for that port
   * (a re-attached service's environment holds it), falling back to any. */
  remoteForward(host: SshHost, target: Endpoint, preferPort?: number): Promise<RemoteForward> {
    const key = keyOf(host.key, target);
    let p = this.remote.get(key);
    if (!p) {
      p = (async () => {
        const spec = { remoteHost: '127.0.0.1', localHost: target.host, localPort: target.port };
        let t: RemoteForward;
        try {
          t = await host.forwardIn({ ...spec, remotePort: preferPort ?? 0 });
        } catch (err) {
          if (!preferPort) throw err;
          t = await host.forwardIn({ ...spec, remotePort: 0 });
        }
        this.remoteDone.set(key, t);
        return t;
      })();
      this.remote.set(key, p);
      p.catch(() => { if (this.remote.get(key) === p) this.remote.delete(key); });
    }
    return p;
  }

  /** A listener on 127.0.0.1 here whose connections reach `target` as seen from `host`. */
  localForward(host: SshHost, target: Endpoint): Promise<LocalForward> {
    const key = keyOf(host.key, target);
    let p = this.local.get(key);
    if (!p) {
      p = host.forwardOut({ localHost: '127.0.0.1', localPort: 0, remoteHost: target.host, remotePort: target.port }).then((t) => {
        this.localDone.set(key, t);
        return t;
      });
      this.local.set(key, p);
      p.catch(() => { if (this.local.get(key) === p) this.local.delete(key); });
    }
    return p;
  }

  /** The remote forward, if it is open (for the synchronous resolvers). */
  openRemote(hostKey: string, target: Endpoint): RemoteForward | undefined {
    return this.remoteDone.get(keyOf(hostKey, target));
  }

  openLocal(hostKey: string, target: Endpoint): LocalForward | undefined {
    return this.localDone.get(keyOf(hostKey, target));
  }

  async closeAll(): Promise<void> {
    const all = [...this.remoteDone.values(), ...this.localDone.values()];
    this.remote.clear();
    this.local.clear();
    this.remoteDone.clear();
    this.localDone.clear();
    await Promise.all(all.map((t) => t.close().catch(() => undefined)));
  }
}

/** A remote forward as the topology shows it. */
export function remoteTunnelInfo(t: RemoteForward | undefined, via: string, target: Endpoint, reason: string): EdgeTunnel {
  return { kind: 'remote-forward', via, target, state: t ? t.state : 'planned', reason };
}

export function localTunnelInfo(t: LocalForward | undefined, via: string, target: Endpoint, reason: string): EdgeTunnel {
  return { kind: 'local-forward', via, target, state: t ? 'active' : 'planned', reason };
}
