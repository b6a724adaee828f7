// Host keys a start met that no known_hosts file names: reported as `hostKey` events (the app asks
// the user) and kept until trusted, so `hosts.trust` can only ever append a key Harness itself was
// shown by that host, never one a client makes up.
import { HarnessError } from '../../../shared/errors.js';
import type { HostKeyEvent } from '../../../shared/events.js';
import { appendKnownHost, type HostKeyErrorDetails, type SshPool } from '../../ssh/index.js';

export class HostKeyPrompts {
  private readonly pending = new Map<string, HostKeyEvent>();
  private readonly listeners = new Set<(e: HostKeyEvent) => void>();

  on(listener: (e: HostKeyEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** True (and an event out) when `err` is a refusal of an unknown host key. */
  report(err: unknown, service: string, user: string): boolean {
    const d = err instanceof HarnessError ? (err.details as HostKeyErrorDetails | undefined) : undefined;
    if (!d || d.kind !== 'host-key-unknown') return false;
    const key = `${d.host}:${d.port}:${d.fingerprint}`;
    const had = this.pending.get(key);
    const event: HostKeyEvent = {
      host: d.host, port: d.port, user, keyType: d.keyType, fingerprint: d.fingerprint, publicKey: d.publicKey,
      services: [...new Set([...(had?.services ?? []), service])],
      message: (err as Error).message,
      at: Date.now(),
    };
    this.pending.set(key, event);
    for (const fn of this.listeners) fn(event);
    return true;
  }

  /** Appends the key shown for host:port with this fingerprint to the user's known_hosts. */
  async trust(req: { host: string; port: number; fingerprint: string }, pool: SshPool): Promise<{ file: string; line: string }> {
    const key = `${req.host}:${req.port}:${req.fingerprint}`;
    const shown = this.pending.get(key);
    if (!shown) {
      throw new HarnessError('NOT_FOUND', `no host key ${req.fingerprint} of ${req.host} port ${req.port} is waiting to be trusted (start the service to see its key)`, req);
    }
    const { file, hash } = pool.knownHostsTarget();
    const blob = Buffer.from(shown.publicKey.split(' ')[1] ?? '', 'base64');
    const line = await appendKnownHost({ file, host: req.host, port: req.port, key: blob, hash });
    this.pending.delete(key);
    return { file, line };
  }
}
