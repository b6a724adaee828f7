// Fetching the core's topology (network.topology) into the network store: at once when the
// topology view opens or a snapshot lands, and at most once a second while statuses change (a
// container's address is known once it runs). Only while something shows it: the topology view,
// or the graph's edges (small graphs; a large graph's edges carry no addresses).
import type { ApiClient } from '../../../shared/api-client';
import type { Stores } from '../stores/stores';

const THROTTLE_MS = 1000;

export class NetworkActions {
  private inFlight: Promise<void> | null = null;
  private again = false;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private last = 0;
  private disposed = false;
  /** Completed fetches (the benches and e2e wait on it). */
  fetches = 0;

  constructor(
    private readonly client: ApiClient,
    private readonly stores: Stores,
  ) {}

  private needed(): boolean {
    const { view } = this.stores.ui.getState();
    const { file, large } = this.stores.graph.getState();
    return file !== null && (view === 'topology' || !large);
  }

  /** Fetches now; a call during a fetch makes one more fetch follow it. */
  refresh(): Promise<void> {
    if (this.disposed || !this.needed()) return Promise.resolve();
    if (this.inFlight) {
      this.again = true;
      return this.inFlight;
    }
    this.inFlight = (async () => {
      try {
        do {
          this.again = false;
          this.last = Date.now();
          try {
            this.stores.network.getState().set(await this.client.invoke('network.topology', {}));
          } catch (err) {
            this.stores.network.getState().fail(err instanceof Error ? err.message : String(err));
          }
          this.fetches++;
        } while (this.again && !this.disposed);
      } finally {
        this.inFlight = null;
      }
    })();
    return this.inFlight;
  }

  /** Something changed that may move an address: fetch within a second, coalescing bursts. */
  soon(): void {
    if (this.timer || this.disposed || !this.needed()) return;
    const wait = Math.max(0, THROTTLE_MS - (Date.now() - this.last));
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.refresh();
    }, wait);
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
  }
}
