// Maps contract method names to core calls. Transport-agnostic: adapters hand it untrusted
// (method, params) pairs and get envelopes back.
import { API_PARAM_SCHEMAS, isApiMethodName, type ApiMethodName, type ParamsOf, type ResultOf } from '../../shared/api.js';
import { toErrorPayload, type Envelope } from '../../shared/errors.js';
import type { ApiEventName, ApiEvents } from '../../shared/events.js';
import { checkPayload } from '../../shared/payload-schema.js';
import { EventSession, type EventSessionOptions } from './event-session.js';

export type ApiHandlers = {
  [M in ApiMethodName]: (params: ParamsOf<M>) => Promise<ResultOf<M>> | ResultOf<M>;
};

export type ApiEventListener = <E extends ApiEventName>(event: E, payload: ApiEvents[E]) => void;

/** Where events come from: the core facade emits them in the contract's shape. */
export interface ApiEventSource {
  subscribe(listener: ApiEventListener): () => void;
}

export class ApiDispatcher {
  constructor(
    private readonly handlers: Omit<ApiHandlers, 'logs.ack'>,
    private readonly events: ApiEventSource,
  ) {}

  /** Validates and runs one call. Never throws: every failure is an envelope. */
  async call(method: unknown, params: unknown): Promise<Envelope<unknown>> {
    if (!isApiMethodName(method)) {
      return { ok: false, error: { code: 'UNKNOWN_METHOD', message: `unknown method ${JSON.stringify(String(method)).slice(0, 80)}` } };
    }
    const problems = checkPayload(API_PARAM_SCHEMAS[method], params ?? {});
    if (problems.length > 0) {
      return { ok: false, error: { code: 'BAD_REQUEST', message: `invalid params for ${method}: ${problems[0]}`, details: { problems } } };
    }
    if (method === 'logs.ack') {
      // Only meaningful on a session; a bare call is accepted and ignored.
      return { ok: true, value: null };
    }
    try {
      const handler = this.handlers[method] as (p: unknown) => unknown;
      const value = await handler(params ?? {});
      return { ok: true, value: value === undefined ? null : value };
    } catch (err) {
      return { ok: false, error: toErrorPayload(err) };
    }
  }

  /** One peer: its own event delivery with log batching and flow control. */
  openSession(send: (event: ApiEventName, payload: unknown) => void, options?: EventSessionOptions): ApiSession {
    const session = new EventSession(send, options);
    const unsubscribe = this.events.subscribe((event, payload) => session.push(event, payload));
    return {
      call: async (method, params) => {
        if (method === 'logs.ack') {
          const result = await this.call(method, params);
          if (result.ok) session.ack((params as { lines: number }).lines);
          return result;
        }
        return this.call(method, params);
      },
      close: () => {
        unsubscribe();
        session.close();
      },
      stats: () => session.stats(),
    };
  }
}

export interface ApiSession {
  call(method: unknown, params: unknown): Promise<Envelope<unknown>>;
  close(): void;
  stats(): ReturnType<EventSession['stats']>;
}
