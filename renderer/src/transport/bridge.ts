// What electron/preload.ts exposes on `window.harness` (kept in step with it by hand: renderer/
// may not import electron/). Exactly two functions, both checked against the contract's names.
import type { Envelope } from '../../../shared/errors';
import type { ApiEventName } from '../../../shared/events';

export interface HarnessBridge {
  invoke(method: string, params: unknown): Promise<Envelope<unknown>>;
  on(event: ApiEventName, listener: (payload: unknown) => void): () => void;
}

declare global {
  interface Window {
    harness?: HarnessBridge;
  }
}
