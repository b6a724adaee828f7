// Framing shared by the message-based transports (WebSocket, Unix socket, Electron IPC).
import type { ApiEventName, LogLine } from './events.js';
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

/** Estimated JSON size of a log line in a message: its text, service name, field names and
 * numbers. Escaping can make the real size larger (up to 6x for control characters), which is
 * why batches and history pages are cut well below the limits a peer accepts. */
export function logLineWireSize(l: LogLine): number {
  return l.line.length + l.service.length + 64;
}
