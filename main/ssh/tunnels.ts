// Tunnels over the host's primary connection, for edges with no direct route.
// - Remote forward (ssh2 forwardIn, `ssh -R`): sshd listens on the host (remoteHost:remotePort)
//   and each connection made there is carried here and piped to localHost:localPort. With sshd's
//   default `GatewayPorts no` it binds loopback only, whatever address is asked: a remote service
//   reaches it at 127.0.0.1 on its own host. The bound port is kept across reconnects, so the
//   address handed to remote services stays valid.
// - Local forward (ssh2 forwardOut, `ssh -L`): a listener here whose connections are carried to
//   remoteHost:remotePort as seen from the host.
// Both need sshd's `AllowTcpForwarding` (default yes). Forwarded connections are not session
// channels and do not count against MaxSessions. When the connection drops, carried connections
// end; remote forwards are re-requested on the next connection, local listeners stay and carry
// new connections once it is back.
import { connect as tcpConnect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { HarnessError } from '../../shared/errors.js';
import type { SshLink } from './ssh-link.js';

export type TunnelState = 'pending' | 'active' | 'down' | 'failed' | 'closed';

export interface RemoteForwardSpec {
  /** Address sshd binds on the host. Default 127.0.0.1. */
  remoteHost?: string;
  /** Port on the host; 0 (default) lets sshd pick one, which is then kept. */
  remotePort?: number;
  /** Where connections go on this machine. */
  localHost: string;
  localPort: number;
}

export interface RemoteForward {
  readonly remoteHost: string;
  /** The bound port (known once active). */
  readonly remotePort: number;
  readonly state: TunnelState;
  /** Why it is down or failed. */
  readonly error: string | null;
  /** Connections carried so far. */
  readonly carried: number;
  onState(fn: (state: TunnelState, error: string | null) => void): () => void;
  close(): Promise<void>;
}

export interface LocalForwardSpec {
  /** Default 127.0.0.1. */
  localHost?: string;
  /** Default 0: the OS picks. */
  localPort?: number;
  /** As seen from the host: 127.0.0.1 is the host itself. */
  remoteHost: string;
  remotePort: number;
}

export interface LocalForward {
  readonly localHost: string;
  readonly localPort: number;
  readonly remoteHost: string;
  readonly remotePort: number;
  readonly carried: number;
  /** The last connection that could not be carried, and why. */
  readonly lastError: string | null;
  close(): Promise<void>;
}

export interface TunnelHost {
  /** The primary connection, waiting for it like any operation. */
  primary(signal?: AbortSignal): Promise<SshLink>;
}

function pipeBoth(a: Duplex, b: Duplex, track: Set<Duplex>): void {
  track.add(a);
  track.add(b);
  const end = () => { a.destroy(); b.destroy(); track.delete(a); track.delete(b); };
  a.on('error', end).on('close', end);
  b.on('error', end).on('close', end);
  a.pipe(b);
  b.pipe(a);
}

class RemoteForwardImpl implements RemoteForward {
  remotePort: number;
  state: TunnelState = 'pending';
  error: string | null = null;
  carried = 0;
  boundOn: SshLink | null = null;
  readonly open = new Set<Duplex>();
  private readonly listeners = new Set<(s: TunnelState, e: string | null) => void>();

  constructor(readonly key: string, readonly remoteHost: string, port: number, readonly spec: RemoteForwardSpec, private readonly owner: Tunnels) {
    this.remotePort = port;
  }

  onState(fn: (s: TunnelState, e: string | null) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  set(state: TunnelState, error: string | null = null): void {
    this.state = state;
    this.error = error;
    for (const fn of this.listeners) fn(state, error);
  }

  establish(link: SshLink): Promise<void> {
    if (this.boundOn === link) return Promise.resolve();
    return new Promise((resolve, reject) => {
      link.client.forwardIn(this.remoteHost, this.remotePort, (err, port) => {
        if (err) {
          const msg = `sshd on ${this.key} refused to listen on ${this.remoteHost}:${this.remotePort || '(any port)'} for a remote forward: ${err.message} ` +
            '(the port may be taken on the host, or AllowTcpForwarding is off)';
          this.set('failed', msg);
          reject(new HarnessError('UNAVAILABLE', msg, { kind: 'tunnel-refused', remoteHost: this.remoteHost, remotePort: this.remotePort }));
          return;
        }
        if (this.state === 'closed') { link.client.unforwardIn(this.remoteHost, port || this.remotePort, () => undefined); resolve(); return; }
        if (port) this.remotePort = port;
        this.boundOn = link;
        this.set('active');
        resolve();
      });
    });
  }

  accept(accept: () => Duplex, reject: () => void): void {
    const local: Socket = tcpConnect({ host: this.spec.localHost, port: this.spec.localPort });
    local.once('error', () => { reject(); local.destroy(); });
    local.once('connect', () => {
      local.removeAllListeners('error');
      local.setNoDelay(true);
      this.carried++;
      pipeBoth(accept(), local, this.open);
    });
  }

  async close(): Promise<void> {
    if (this.state === 'closed') return;
    const link = this.boundOn;
    this.boundOn = null;
    this.set('closed');
    this.owner.forget(this);
    for (const s of this.open) s.destroy();
    // A dead peer never answers: do not wait for it longer than a moment.
    if (link?.alive) {
      await new Promise<void>((r) => {
        const timer = setTimeout(r, 2000);
        link.client.unforwardIn(this.remoteHost, this.remotePort, () => { clearTimeout(timer); r(); });
      });
    }
  }
}

class LocalForwardImpl implements LocalForward {
  localPort = 0;
  carried = 0;
  lastError: string | null = null;
  readonly open = new Set<Duplex>();
  server: Server | null = null;

  constructor(readonly localHost: string, readonly remoteHost: string, readonly remotePort: number, private readonly owner: Tunnels) {}

  handle(sock: Socket, host: TunnelHost): void {
    sock.pause();
    sock.setNoDelay(true);
    sock.on('error', () => sock.destroy());
    host.primary().then((link) => {
      if (sock.destroyed) return;
      link.client.forwardOut(sock.remoteAddress ?? '127.0.0.1', sock.remotePort ?? 0, this.remoteHost, this.remotePort, (err, stream) => {
        if (err) {
          this.lastError = `the host could not connect to ${this.remoteHost}:${this.remotePort}: ${err.message}`;
          sock.destroy();
          return;
        }
        this.carried++;
        pipeBoth(stream, sock, this.open);
        sock.resume();
      });
    }, (err: Error) => {
      this.lastError = err.message;
      sock.destroy();
    });
  }

  async close(): Promise<void> {
    this.owner.forget(this);
    for (const s of this.open) s.destroy();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((r) => server.close(() => r()));
  }
}

export class Tunnels {
  private readonly remote = new Set<RemoteForwardImpl>();
  private readonly local = new Set<LocalForwardImpl>();
  private readonly hooked = new WeakSet<SshLink>();

  constructor(private readonly key: string, private readonly host: TunnelHost) {}

  async forwardIn(spec: RemoteForwardSpec, signal?: AbortSignal): Promise<RemoteForward> {
    const t = new RemoteForwardImpl(this.key, spec.remoteHost ?? '127.0.0.1', spec.remotePort ?? 0, spec, this);
    this.remote.add(t);
    try {
      const link = await this.host.primary(signal);
      this.hook(link);
      await t.establish(link);
    } catch (err) {
      this.remote.delete(t);
      if (t.state !== 'failed') t.set('failed', (err as Error).message);
      throw err;
    }
    return t;
  }

  async forwardOut(spec: LocalForwardSpec): Promise<LocalForward> {
    const t = new LocalForwardImpl(spec.localHost ?? '127.0.0.1', spec.remoteHost, spec.remotePort, this);
    const server = createServer((sock) => t.handle(sock, this.host));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(spec.localPort ?? 0, t.localHost, () => { server.off('error', reject); resolve(); });
    });
    t.server = server;
    t.localPort = (server.address() as AddressInfo).port;
    this.local.add(t);
    return t;
  }

  forget(t: RemoteForwardImpl | LocalForwardImpl): void {
    if (t instanceof RemoteForwardImpl) this.remote.delete(t);
    else this.local.delete(t);
  }

  /** After a (re)connect: route incoming forwarded connections, re-request every remote forward. */
  async reestablish(link: SshLink): Promise<void> {
    this.hook(link);
    const pending = [...this.remote].filter((t) => t.state !== 'closed').map((t) => t.establish(link).catch(() => undefined));
    if (pending.length === 0) return;
    // A server that never answers is a dead connection: its loss is handled elsewhere.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(pending), new Promise((r) => { timer = setTimeout(r, 10_000); })]);
    clearTimeout(timer);
  }

  markDown(reason: string): void {
    for (const t of this.remote) {
      t.boundOn = null;
      if (t.state === 'active' || t.state === 'pending') t.set('down', reason);
    }
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.remote].map((t) => t.close()));
    await Promise.all([...this.local].map((t) => t.close()));
  }

  private hook(link: SshLink): void {
    if (this.hooked.has(link)) return;
    this.hooked.add(link);
    link.client.on('tcp connection', (info, accept, reject) => {
      const t = [...this.remote].find((r) => r.boundOn === link && r.remotePort === info.destPort);
      if (!t) { reject(); return; }
      t.accept(accept, reject);
    });
  }
}
