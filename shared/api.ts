// The one API contract. Every transport (Electron IPC, WebSocket, the supervisor's Unix socket,
// the in-memory one in tests) carries exactly these methods and events.
import type { ConfigProblem, ServiceConfig, TargetType } from './config-types.js';
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
  /** The entry's field path as the loader's problems spell it (`services[2]`, `services.api`). */
  path?: string;
  /** Position in the file's services. */
  index?: number;
  /** Running with a config that differs from the saved file's: `project.apply` restarts it. */
  changed?: boolean;
}

/** A service of the draft the loader could not read (its problems name `path`): shown, not run. */
export interface InvalidServiceSummary {
  name: string;
  path: string;
  index: number;
  /** The target type as written, when it is one. */
  type: TargetType | null;
  dependencies: string[];
  raw?: RawService;
  state: ServiceState;
}

export interface ProjectSnapshot {
  /** null when no file is open (the app's empty state). */
  file: string | null;
  project: string | null;
  /** Unsaved edits exist: the draft differs from the file. */
  dirty: boolean;
  /** The draft's services that load (file order). */
  services: ServiceSummary[];
  /** The draft's problems. */
  problems: ConfigProblem[];
  /** Highest status sequence number included in this snapshot. */
  seq: number;
  /** The draft's services that do not load. */
  invalid?: InvalidServiceSummary[];
  /** Running services that the draft no longer has; `saved`: gone from the file too (apply stops them). */
  pendingRemoval?: Array<{ state: ServiceState; saved: boolean }>;
  /** Bumped on every change of the draft's text (editors showing the text refetch it). */
  revision?: number;
  history?: { canUndo: boolean; canRedo: boolean; undo?: string; redo?: string };
  /** The file changed on disk while there were unsaved edits: reload, keep mine, or compare. */
  conflict?: { at: number; missing: boolean } | null;
  /** Unsaved edits of an earlier session of this file, offered back (`project.recovery`). */
  recovery?: { savedAt: number; baseChanged: boolean } | null;
  /** The saved file has errors: starting and applying refuse until it is fixed and saved. */
  savedInvalid?: boolean;
}

/** The draft's text, the file's current text, or an earlier session's unsaved draft. */
export type SourceKind = 'draft' | 'disk' | 'recovery';

/** A service as written in YAML (JSON form); validated by the core like the file itself. */
export type RawService = Record<string, unknown>;

export type ConfigEdit =
  | { op: 'addService'; service: RawService }
  | { op: 'updateService'; name: string; service: RawService }
  | { op: 'removeService'; name: string }
  | { op: 'addDependency'; service: string; dependency: string }
  | { op: 'removeDependency'; service: string; dependency: string }
  | { op: 'setPosition'; service: string; x: number; y: number }
  /** The service's name changed, and with it every dependency list that names it. A name the
   * loader would refuse (invalid, taken, an environment prefix clash) is refused with its words. */
  | { op: 'renameService'; name: string; to: string }
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
export const FIELD_KEY = /^[A-Za-z0-9_.-]{1,64}$/;
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

/** What `services.rollback` did: releases by id (docs/packages.md). */
export interface RollbackReport {
  service: string;
  /** The release that was current. */
  from: string;
  /** The release now current. */
  to: string;
  /** The service was (re)started onto it. */
  restarted: boolean;
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
  /** One call is one undo step; `label` names it (default: from the edits). */
  'project.edit': { params: { edits: ConfigEdit[]; label?: string }; result: ProjectSnapshot };
  /** Atomic. Refused (CONFLICT, details.reason 'changed-on-disk') when the file changed on disk
   * since it was loaded or saved: the snapshot's `conflict` then offers the choice. */
  'project.save': { params: { path?: string }; result: { file: string } };
  /**
   * Converts the docker-compose file `source` into a new services.yaml at `target` (refused when
   * it exists), then opens it as `project.open` does. `losses` lists every compose field not
   * converted or approximated, as `docker-compose.yml:14: services.db.deploy: not converted: …`.
   * `profiles`: Compose profiles whose services are imported too (`*` for all); default none.
   */
  'project.import': { params: { source: string; target: string; profiles?: string[] }; result: { file: string; losses: string[] } };
  'project.undo': { params: Record<string, never>; result: ProjectSnapshot };
  'project.redo': { params: Record<string, never>; result: ProjectSnapshot };
  /** The draft becomes the file's text again (an undo step); drops the recovery draft. */
  'project.revert': { params: Record<string, never>; result: ProjectSnapshot };
  /** The draft's whole text (the source panel); consecutive calls of one `group` are one step. */
  'project.setText': { params: { text: string; group?: string }; result: ProjectSnapshot };
  'project.source': { params: { which?: SourceKind }; result: { text: string | null; problems: ConfigProblem[] } };
  /** What the candidate edits (or text) would make of the draft, with the loader's problems;
   * nothing changes. `refused`: the edits themselves cannot apply, and why. */
  'project.validate': { params: { edits?: ConfigEdit[]; text?: string }; result: { problems: ConfigProblem[]; refused?: string } };
  /** Answers a `conflict`: take the file's version (reload), or keep the draft (optionally a
   * merged `text`) so that the next save overwrites the file. */
  'project.conflict': { params: { action: 'reload' | 'keep'; text?: string }; result: ProjectSnapshot };
  /** Answers a `recovery` offer. */
  'project.recovery': { params: { action: 'restore' | 'discard' }; result: ProjectSnapshot };
  /** Restarts the named running services with the saved config (stops those gone from the file);
   * all pending ones when omitted. */
  'project.apply': { params: { services?: string[] }; result: { restarted: string[]; stopped: string[] } };
  /** Starts the named services and their dependencies; all when `services` is omitted. */
  'services.start': { params: { services?: string[] }; result: { started: string[] } };
  /** Stops the named services and their dependents first; all when omitted. */
  'services.stop': { params: { services?: string[] }; result: { stopped: string[] } };
  'services.restart': { params: { services: string[] }; result: { restarted: string[] } };
  /**
   * `harness rollback`: the service's previous release becomes current (Wireguard services; any
   * other target is BAD_REQUEST) and a running service is restarted onto it; NOT_FOUND when there
   * is no previous release. The release stays pinned until the configured package changes.
   */
  'services.rollback': { params: { service: string }; result: RollbackReport };
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
/** A whole services.yaml in one message (transports carry at most 1 MiB). */
const MAX_TEXT = 1_000_000;
const anyName = s.string(256);
const names = s.array(name, 1000);
const empty = s.object({});
const rawService = s.json(64 * 1024);

const edit = s.union('op', {
  addService: s.object({ op: s.literal('addService'), service: rawService }),
  updateService: s.object({ op: s.literal('updateService'), name, service: rawService }),
  // A service whose name the loader refuses can still be deleted or renamed (that is the fix).
  removeService: s.object({ op: s.literal('removeService'), name: anyName }),
  addDependency: s.object({ op: s.literal('addDependency'), service: name, dependency: name }),
  removeDependency: s.object({ op: s.literal('removeDependency'), service: name, dependency: name }),
  // `to` is checked by the core, which answers with the loader's own message for a bad name.
  renameService: s.object({ op: s.literal('renameService'), name: anyName, to: anyName }),
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
  'project.edit': s.object({ edits: s.array(edit, 500), label: s.string(200) }, ['label']),
  'project.save': s.object({ path: s.string(4096) }, ['path']),
  'project.import': s.object({ source: s.string(4096), target: s.string(4096), profiles: s.array(s.string(64, COMPOSE_PROFILE), 100) }, ['profiles']),
  'project.undo': empty,
  'project.redo': empty,
  'project.revert': empty,
  'project.setText': s.object({ text: s.string(MAX_TEXT), group: s.string(64) }, ['group']),
  'project.source': s.object({ which: s.literal('draft', 'disk', 'recovery') }, ['which']),
  'project.validate': s.object({ edits: s.array(edit, 500), text: s.string(MAX_TEXT) }, ['edits', 'text']),
  'project.conflict': s.object({ action: s.literal('reload', 'keep'), text: s.string(MAX_TEXT) }, ['text']),
  'project.recovery': s.object({ action: s.literal('restore', 'discard') }),
  'project.apply': s.object({ services: names }, ['services']),
  'services.start': s.object({ services: names }, ['services']),
  'services.stop': s.object({ services: names }, ['services']),
  'services.restart': s.object({ services: names }),
  'services.rollback': s.object({ service: name }),
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
