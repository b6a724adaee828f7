// The one API contract. Every transport (Electron IPC, WebSocket, the supervisor's Unix socket,
// the in-memory one in tests) carries exactly these methods and events.
import type { ConfigProblem, ServiceConfig } from './config-types.js';
import type { LogLine } from './events.js';
import type { TopologySnapshot } from './network-types.js';
import { s, SERVICE_NAME, type Schema } from './payload-schema.js';
import type { ServiceState } from './service-state.js';

export interface ServiceSummary {
  config: ServiceConfig;
  state: ServiceState;
  /** The service as written in the file (JSON form, `${VAR}` references and relative paths not
   * resolved), when the open document has it; editors show and diff against this. */
  raw?: RawService;
}

export interface ProjectSnapshot {
  /** null when no file is open (the app's empty state). */
  file: string | null;
  project: string | null;
  /** Unsaved edits exist. */
  dirty: boolean;
  services: ServiceSummary[];
  problems: ConfigProblem[];
  /** Highest status sequence number included in this snapshot. */
  seq: number;
}

/** A service as written in YAML (JSON form); validated by the core like the file itself. */
export type RawService = Record<string, unknown>;

export type ConfigEdit =
  | { op: 'addService'; service: RawService }
  | { op: 'updateService'; name: string; service: RawService }
  | { op: 'removeService'; name: string }
  | { op: 'addDependency'; service: string; dependency: string }
  | { op: 'removeDependency'; service: string; dependency: string }
  | { op: 'setPosition'; service: string; x: number; y: number }
  /**
   * One field of a service set in place (the rest of the entry, comments and `${VAR}` references
   * included, stays as written). `path` is relative to the service entry, e.g. ['target', 'args'],
   * ['target', 'env', 'PORT'], ['restart', 'policy']; missing maps on the way are created.
   * `value` is JSON; null removes the field. The name cannot be changed this way.
   */
  | { op: 'setField'; service: string; path: FieldPath; value: unknown };

/** Map keys (strings) and list indexes (numbers) from a service entry down to one field. */
export type FieldPath = Array<string | number>;

/** One path item: a map key as services.yaml spells field names, or a list index. */
const FIELD_KEY = /^[A-Za-z0-9_.-]{1,64}$/;
const FIELD_PATH_MAX = 8;
const FIELD_INDEX_MAX = 9999;

/** Why `path` cannot address a field of a service, or null when it can. The payload schema below
 * can only bound its size (it has no string-or-number union), so the core checks this too. */
export function fieldPathProblem(path: readonly unknown[]): string | null {
  if (path.length === 0) return 'the path is empty (use updateService to replace a whole service)';
  if (path.length > FIELD_PATH_MAX) return `the path has more than ${FIELD_PATH_MAX} items`;
  for (const [i, p] of path.entries()) {
    if (typeof p === 'number') {
      if (!Number.isInteger(p) || p < 0 || p > FIELD_INDEX_MAX) return `path[${i}] must be a list index from 0 to ${FIELD_INDEX_MAX}`;
    } else if (typeof p !== 'string' || !FIELD_KEY.test(p)) {
      return `path[${i}] must be a field name (letters, digits, "_", "." or "-", at most 64) or a list index`;
    }
  }
  if (path[0] === 'name') return 'the service name cannot be changed with setField';
  return null;
}

export interface SupervisorInfo {
  pid: number;
  file: string | null;
  project: string | null;
  startedAt: number;
  version: string;
}

/** One page of log history (`logs.page`), oldest first. */
export interface LogPage {
  lines: LogLine[];
  /** More lines follow: ask again with `after: next` and the same `until`. null on the last page. */
  next: number | null;
  /** Where this history ends; lines logged later come as `logs` events. Opaque, like `next`. */
  until: number;
  /** Per service: lines no longer held in memory (the bounds in docs/cli.md); a system line in
   * `lines` says so where the requested window reaches past them. */
  evicted: Record<string, number>;
}

export interface ApiMethods {
  'project.snapshot': { params: Record<string, never>; result: ProjectSnapshot };
  'project.open': { params: { path: string }; result: ProjectSnapshot };
  'project.create': { params: { path: string }; result: ProjectSnapshot };
  'project.reload': { params: Record<string, never>; result: ProjectSnapshot };
  'project.edit': { params: { edits: ConfigEdit[] }; result: ProjectSnapshot };
  'project.save': { params: { path?: string }; result: { file: string } };
  /**
   * Converts the docker-compose file `source` into a new services.yaml at `target` (refused when
   * it exists), then opens it as `project.open` does. `losses` lists every compose field not
   * converted or approximated, as `docker-compose.yml:14: services.db.deploy: not converted: …`.
   * `profiles`: Compose profiles whose services are imported too (`*` for all); default none.
   */
  'project.import': { params: { source: string; target: string; profiles?: string[] }; result: { file: string; losses: string[] } };
  /** Starts the named services and their dependencies; all when `services` is omitted. */
  'services.start': { params: { services?: string[] }; result: { started: string[] } };
  /** Stops the named services and their dependents first; all when omitted. */
  'services.stop': { params: { services?: string[] }; result: { stopped: string[] } };
  'services.restart': { params: { services: string[] }; result: { restarted: string[] } };
  'logs.history': { params: { service?: string; limit?: number }; result: LogLine[] };
  /**
   * History in pages of about 2 MiB, so any amount reaches any transport. The first call names
   * the window: `services` (each one's newest `limit` lines) or all services (the newest `limit`
   * lines merged); every next call repeats it with the previous page's `next` as `after` and its
   * `until`. Lines are in arrival order.
   */
  'logs.page': { params: { services?: string[]; limit?: number; after?: number; until?: number }; result: LogPage };
  /** Flow control: the peer has consumed `lines` log lines. */
  'logs.ack': { params: { lines: number }; result: null };
  'network.topology': { params: Record<string, never>; result: TopologySnapshot };
  /**
   * Trusts the host key a `hostKey` event showed: appended to ~/.ssh/known_hosts as `ssh` does on
   * "yes". Only a key the core itself presented for host:port is accepted (the fingerprint names
   * it); anything else is NOT_FOUND. The client then retries the start.
   */
  'hosts.trust': { params: { host: string; port: number; fingerprint: string }; result: { file: string; line: string } };
  'supervisor.info': { params: Record<string, never>; result: SupervisorInfo };
  /** Stops every service (when asked) and ends the supervisor process. */
  'supervisor.shutdown': { params: { stopServices: boolean }; result: null };
}

export type ApiMethodName = keyof ApiMethods;
export type ParamsOf<M extends ApiMethodName> = ApiMethods[M]['params'];
export type ResultOf<M extends ApiMethodName> = ApiMethods[M]['result'];

const name = s.string(63, SERVICE_NAME);
/** A Compose profile name, or `*` for all of them. */
const COMPOSE_PROFILE = /^(?:\*|[A-Za-z0-9][A-Za-z0-9_.-]*)$/;
const names = s.array(name, 1000);
const empty = s.object({});
const rawService = s.json(64 * 1024);

const edit = s.union('op', {
  addService: s.object({ op: s.literal('addService'), service: rawService }),
  updateService: s.object({ op: s.literal('updateService'), name, service: rawService }),
  removeService: s.object({ op: s.literal('removeService'), name }),
  addDependency: s.object({ op: s.literal('addDependency'), service: name, dependency: name }),
  removeDependency: s.object({ op: s.literal('removeDependency'), service: name, dependency: name }),
  setPosition: s.object({
    op: s.literal('setPosition'),
    service: name,
    x: s.number(-1e7, 1e7),
    y: s.number(-1e7, 1e7),
  }),
  // The rename ban needs the whole path: fieldPathProblem runs in the core before anything applies.
  setField: s.object({
    op: s.literal('setField'),
    service: name,
    path: s.array(s.oneOf('a field name or a list index', s.string(64, FIELD_KEY), s.int(0, FIELD_INDEX_MAX)), FIELD_PATH_MAX),
    value: s.json(64 * 1024),
  }),
});

/** Runtime schemas for every method's params; the dispatcher rejects anything else. */
export const API_PARAM_SCHEMAS: { readonly [M in ApiMethodName]: Schema } = {
  'project.snapshot': empty,
  'project.open': s.object({ path: s.string(4096) }),
  'project.create': s.object({ path: s.string(4096) }),
  'project.reload': empty,
  'project.edit': s.object({ edits: s.array(edit, 500) }),
  'project.save': s.object({ path: s.string(4096) }, ['path']),
  'project.import': s.object({ source: s.string(4096), target: s.string(4096), profiles: s.array(s.string(64, COMPOSE_PROFILE), 100) }, ['profiles']),
  'services.start': s.object({ services: names }, ['services']),
  'services.stop': s.object({ services: names }, ['services']),
  'services.restart': s.object({ services: names }),
  'logs.history': s.object({ service: name, limit: s.int(1, 100_000) }, ['service', 'limit']),
  'logs.page': s.object(
    { services: names, limit: s.int(1, 100_000), after: s.int(0), until: s.int(0) },
    ['services', 'limit', 'after', 'until'],
  ),
  'logs.ack': s.object({ lines: s.int(0, 1e9) }),
  'network.topology': empty,
  'hosts.trust': s.object({
    host: s.string(255, /^[^\s-][^\s]*$/),
    port: s.int(1, 65535),
    fingerprint: s.string(60, /^SHA256:[A-Za-z0-9+/]{43}$/),
  }),
  'supervisor.info': empty,
  'supervisor.shutdown': s.object({ stopServices: s.boolean() }),
};

export function isApiMethodName(v: unknown): v is ApiMethodName {
  return typeof v === 'string' && Object.hasOwn(API_PARAM_SCHEMAS, v);
}
