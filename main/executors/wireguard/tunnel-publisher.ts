// Ports published on this machine's WireGuard address: a listener on <tunnel address>:<port>
// that carries each connection to a port here that peers cannot reach themselves — a container
// published on 127.0.0.1 (Docker's default, and Harness's), or a process listening only on
// 127.0.0.1. This is how a WireGuard peer reaches "a container here at the tunnel address and a
// port published there" (docs/environment.md). The port is the target's own number when it is
// free on that address, else any; one listener per (address, target), kept for the project's
// lifetime so a dependent restarted later finds the port its environment holds.
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export interface Published {
  address: string;
  port: number;
  target: { host: string; port: number };
  close(): Promise<void>;
}

const keyOf = (address: string, host: string, port: number) => `${address}|${host}:${port}`;

function listen(server: Server, address: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => { server.off('listening', onListening); reject(err); };
    const onListening = () => { server.off('error', onError); resolve((server.address() as { port: number }).port); };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ host: address, port, exclusive: true });
  });
}

export class TunnelPublisher {
  private readonly open = new Map<string, Promise<Published>>();
  private readonly done = new Map<string, Published>();

  /** A listener on `address` carrying to `target`; `preferPort` first (a re-attached dependent's
   * environment holds it), then the target's own port, then any. */
  publish(address: string, target: { host: string; port: number }, preferPort?: number): Promise<Published> {
    const key = keyOf(address, target.host, target.port);
    let p = this.open.get(key);
    if (!p) {
      p = this.create(address, target, preferPort);
      this.open.set(key, p);
      p.then((v) => this.done.set(key, v), () => { if (this.open.get(key) === p) this.open.delete(key); });
    }
    return p;
  }

  /** The listener, if it is open (for the synchronous resolvers). */
  get(address: string, target: { host: string; port: number }): Published | undefined {
    return this.done.get(keyOf(address, target.host, target.port));
  }

  async closeAll(): Promise<void> {
    const all = [...this.done.values()];
    this.open.clear();
    this.done.clear();
    await Promise.all(all.map((p) => p.close()));
  }

  private async create(address: string, target: { host: string; port: number }, preferPort?: number): Promise<Published> {
    const sockets = new Set<Socket>();
    const server = createServer({ noDelay: true }, (inbound) => {
      const outbound = createConnection({ host: target.host, port: target.port, noDelay: true });
      sockets.add(inbound);
      sockets.add(outbound);
      const end = () => { inbound.destroy(); outbound.destroy(); sockets.delete(inbound); sockets.delete(outbound); };
      inbound.on('error', end).on('close', end);
      outbound.on('error', end).on('close', end);
      inbound.pipe(outbound);
      outbound.pipe(inbound);
    });
    let port = 0;
    for (const candidate of [...new Set([preferPort, target.port, 0].filter((x): x is number => x !== undefined))]) {
      try {
        port = await listen(server, address, candidate);
        break;
      } catch (err) {
        if (candidate === 0) throw err;
      }
    }
    server.unref();
    return {
      address,
      port,
      target,
      close: () => new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
    };
  }
}
