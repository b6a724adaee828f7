// Results cross every transport as an envelope; the client turns failures back into HarnessError.

export type ErrorCode =
  | 'BAD_REQUEST' // payload failed validation
  | 'UNKNOWN_METHOD'
  | 'NOT_FOUND' // unknown service, no project open
  | 'CONFIG_INVALID' // details.problems: ConfigProblem[]
  | 'CONFLICT' // e.g. another supervisor owns the project
  | 'UNAVAILABLE' // e.g. Docker engine unreachable
  | 'TIMEOUT'
  | 'CANCELLED'
  | 'UNAUTHORIZED'
  | 'INTERNAL';

export interface ErrorPayload {
  code: ErrorCode;
  message: string;
  details?: unknown;
}

export type Envelope<T> = { ok: true; value: T } | { ok: false; error: ErrorPayload };

export class HarnessError extends Error {
  readonly code: ErrorCode;
  readonly details?: unknown;
  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = 'HarnessError';
    this.code = code;
    this.details = details;
  }
  toPayload(): ErrorPayload {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

export function toErrorPayload(err: unknown): ErrorPayload {
  if (err instanceof HarnessError) return err.toPayload();
  if (err instanceof Error) return { code: 'INTERNAL', message: err.message };
  return { code: 'INTERNAL', message: String(err) };
}
