// One run of a service on a remote host, as this machine follows it: its pids, its logs (by
// offset), how it ended, and whether it can be seen right now. The HostSession feeds it the
// watch's snapshots and the connection's state changes.
import type { ExitInfo, InstanceCondition } from '../../core/executor.js';
import type { RemoteEndpoint } from '../../../shared/service-state.js';
import type { LogFollower } from './log-follower.js';

export interface RunIdentity {
  service: string;
  runId: string;
  configHash: string;
  /** The program's pid on the host, once known. */
  pid?: number;
  startTime?: number;
  /** The launch wrapper: leader of the service's session and process group. */
  wrapperPid?: number;
  bootId?: string;
}

export class RemoteRun {
  readonly exited: Promise<ExitInfo>;
  private resolveExited!: (exit: ExitInfo) => void;
  private ended: ExitInfo | null = null;
  private ending: Promise<void> | null = null;
  private readonly listeners = new Set<(c: InstanceCondition) => void>();
  private condition: InstanceCondition;
  /** The last signal a stop sent: what a run that ended without recording a status died of. */
  lastSignal: string | null = null;
  /** A watch round has seen its run directory (a later round without it means it was removed). */
  seen = false;

  constructor(
    readonly id: RunIdentity,
    readonly dir: string,
    readonly follower: LogFollower,
    endpoint: RemoteEndpoint,
    reachable: boolean,
    private readonly onEnded: (run: RemoteRun) => void,
  ) {
    this.exited = new Promise((r) => { this.resolveExited = r; });
    this.condition = reachable ? { reachable: true, remote: endpoint } : { reachable: false, reason: endpoint.reason ?? 'its host does not answer', remote: endpoint };
  }

  get service(): string { return this.id.service; }
  get runId(): string { return this.id.runId; }
  get running(): boolean { return this.ended === null && this.ending === null; }
  get reachable(): boolean { return this.condition.reachable; }

  conditions(listener: (c: InstanceCondition) => void): () => void {
    this.listeners.add(listener);
    listener(this.condition);
    return () => this.listeners.delete(listener);
  }

  /** The host's connection changed, or a snapshot confirmed (or not) that the run is there. */
  setCondition(reachable: boolean, endpoint: RemoteEndpoint, reason?: string): void {
    if (this.ended) return;
    const next: InstanceCondition = reachable ? { reachable, remote: endpoint } : { reachable, reason: reason ?? endpoint.reason ?? 'its host does not answer', remote: endpoint };
    const c = this.condition;
    if (c.reachable === next.reachable && c.reason === next.reason && JSON.stringify(c.remote) === JSON.stringify(next.remote)) return;
    this.condition = next;
    for (const fn of this.listeners) fn(next);
  }

  /** The run is over: the rest of its logs is read (up to `sizes`), then `exited` resolves. */
  finish(exit: ExitInfo, sizes: { stdout?: number; stderr?: number }): Promise<void> {
    this.ending ??= (async () => {
      try {
        await this.follower.finish(sizes);
      } finally {
        this.ended = exit;
        this.listeners.clear();
        this.onEnded(this);
        this.resolveExited(exit);
      }
    })();
    return this.ending;
  }
}
