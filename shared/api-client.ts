// Typed client over any transport. Transports only move envelopes and events; this turns them
// back into typed results and HarnessErrors.
import type { ApiMethodName, ParamsOf, ResultOf } from './api.js';
import { HarnessError, type Envelope } from './errors.js';
import type { ApiEventName, ApiEvents, LogBatch } from './events.js';

/** What a transport provides: the preload's `invoke`/`on` pair has exactly this shape. */
export interface ApiConnection {
  call(method: string, params: unknown): Promise<Envelope<unknown>>;
  onEvent(listener: (event: ApiEventName, payload: unknown) => void): () => void;
}

export interface ApiClientOptions {
  /** Acknowledge log lines as soon as listeners return (CLI). The UI acks from xterm's write
   * callback instead, so a slow terminal slows the core's sending, not the other way round. */
  autoAckLogs?: boolean;
}

export class ApiClient {
  private readonly listeners = new Map<ApiEventName, Set<(payload: never) => void>>();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly connection: ApiConnection,
    private readonly options: ApiClientOptions = { autoAckLogs: true },
  ) {
    this.unsubscribe = connection.onEvent((event, payload) => this.dispatch(event, payload));
  }

  async invoke<M extends ApiMethodName>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>> {
    const envelope = await this.connection.call(method, params);
    if (envelope.ok) return envelope.value as ResultOf<M>;
    throw new HarnessError(envelope.error.code, envelope.error.message, envelope.error.details);
  }

  on<E extends ApiEventName>(event: E, listener: (payload: ApiEvents[E]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    const fn = listener as (payload: never) => void;
    set.add(fn);
    return () => set.delete(fn);
  }

  /** Tells the core that `lines` log lines were consumed (flow control). */
  ackLogs(lines: number): void {
    if (lines > 0) void this.connection.call('logs.ack', { lines }).catch(() => undefined);
  }

  dispose(): void {
    this.unsubscribe();
    this.listeners.clear();
  }

  private dispatch(event: ApiEventName, payload: unknown): void {
    for (const fn of this.listeners.get(event) ?? []) {
      try {
        fn(payload as never);
      } catch (err) {
        // A throwing listener must not stop the others, nor kill the connection.
        console.error(`harness: listener for "${event}" threw`, err);
      }
    }
    if (event === 'logs' && this.options.autoAckLogs !== false) this.ackLogs((payload as LogBatch).lines.length);
  }
}
