// Framing shared by the message-based transports (WebSocket, Unix socket, Electron IPC).
import type { ApiEventName } from './events.js';
import type { Envelope } from './errors.js';

export interface RequestMessage {
  t: 'req';
  id: number;
  method: string;
  params: unknown;
}

export interface ResponseMessage {
  t: 'res';
  id: number;
  result: Envelope<unknown>;
}

export interface EventMessage {
  t: 'evt';
  event: ApiEventName;
  payload: unknown;
}

export type WireMessage = RequestMessage | ResponseMessage | EventMessage;

/** Largest message a peer may send; larger ones are rejected without parsing. */
export const MAX_MESSAGE_BYTES = 1 << 20;
