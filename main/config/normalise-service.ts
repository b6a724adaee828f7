// One service entry (list item or map value) to a ServiceConfig, collecting every problem.
import type { RestartPolicy, RestartPolicyName, ServiceConfig, UiHints } from '../../shared/config-types.js';
import { didYouMean } from './did-you-mean.js';
import { DEFAULTS, FIELDS, RESTART_POLICIES, STOP_SIGNALS } from './fields.js';
import { normaliseHealth } from './normalise-health.js';
import { normaliseTarget } from './normalise-target.js';
import { describe, entry, quoted, Readers, value } from './readers.js';
import type { YNode, YScalar } from './yaml-tree.js';

export interface ServiceEntry {
  /** Undefined when the name itself is missing or not a string. */
  name?: string;
  /** The entry's own field path (`services[2]`, `services.api`). */
  path: string;
  /** Where the name is written: the `name:` value, or the key in map form. */
  nameNode: YNode;
  deps: Array<{ name: string; node: YNode }>;
  /** Undefined when the entry has problems of its own. */
  config?: ServiceConfig;
}

export function normaliseService(n: YNode, r: Readers, dir: string, key?: { name: string; node: YScalar }): ServiceEntry | undefined {
  const m = r.map(n, 'a service (a map with "target")');
  if (!m) return undefined;
  r.keys(m, FIELDS.service, { allowExtensions: true, required: key ? ['target'] : ['name', 'target'] });
  const before = r.problems.errorCount;

  const nameNode = value(m, 'name');
  let name: string | undefined;
  if (key) {
    name = key.name;
    if (nameNode && !(nameNode.kind === 'scalar' && nameNode.value === key.name)) {
      r.problems.error(nameNode.pos, nameNode.path, `"name" must equal the key "${key.name}" in the map form of services, got ${describe(nameNode)}`);
    }
  } else if (nameNode) {
    name = r.string(nameNode);
  }

  const targetNode = value(m, 'target');
  const target = targetNode ? normaliseTarget(targetNode, r, dir) : undefined;

  const deps: ServiceEntry['deps'] = [];
  const depsNode = value(m, 'dependencies');
  if (depsNode && depsNode.kind !== 'scalar') {
    const s = r.seq(depsNode, 'a list of service names');
    const listed = new Set<string>();
    for (const it of s?.items ?? []) {
      const d = r.string(it);
      if (d === undefined) continue;
      if (listed.has(d)) r.problems.warn(it.pos, it.path, `dependency "${d}" is listed twice`);
      else {
        listed.add(d);
        deps.push({ name: d, node: it });
      }
    }
  } else if (depsNode && depsNode.value !== null) {
    r.seq(depsNode, 'a list of service names');
  }

  const hcNode = value(m, 'health_check');
  const health_check = hcNode ? normaliseHealth(hcNode, r, target) : undefined;
  const restartNode = value(m, 'restart');
  const restart = restartNode ? normaliseRestart(restartNode, r) : { ...DEFAULTS.restart };
  const sigNode = value(m, 'stop_signal');
  const stop_signal = sigNode ? normaliseSignal(sigNode, r) : DEFAULTS.stop_signal;
  const graceNode = value(m, 'stop_grace_period');
  const stop_grace_period_ms = graceNode ? r.duration(graceNode) : DEFAULTS.stop_grace_period_ms;
  const uiNode = value(m, 'ui');
  const ui = uiNode ? normaliseUi(uiNode, r) : undefined;

  const errorsNow = r.problems.errorCount;
  const result: ServiceEntry = { name, path: m.path, nameNode: key?.node ?? nameNode ?? m, deps };
  if (errorsNow === before && name !== undefined && target && restart && stop_signal && stop_grace_period_ms !== undefined) {
    result.config = {
      name,
      target,
      dependencies: deps.map((d) => d.name),
      ...(health_check ? { health_check } : {}),
      restart,
      stop_signal,
      stop_grace_period_ms,
      ...(ui ? { ui } : {}),
    };
  }
  return result;
}

function normaliseRestart(n: YNode, r: Readers): RestartPolicy | undefined {
  if (n.kind === 'scalar') {
    const policy = r.oneOf(n, RESTART_POLICIES, 'restart policy');
    return policy === undefined ? undefined : { ...DEFAULTS.restart, policy };
  }
  const m = r.map(n, 'a restart policy (no, on-failure, always) or a map {policy, max_retries, backoff, max_backoff}');
  if (!m) return undefined;
  r.keys(m, FIELDS.restart);
  const p = value(m, 'policy');
  const policy: RestartPolicyName | undefined = p ? r.oneOf(p, RESTART_POLICIES, 'restart policy') : undefined;
  const mr = value(m, 'max_retries');
  const max_retries = mr ? r.int(mr, 0, 1_000_000, 'a number of retries') : DEFAULTS.restart.max_retries;
  const b = value(m, 'backoff');
  const backoff_ms = b ? restartDelay(b, r) : DEFAULTS.restart.backoff_ms;
  const mb = value(m, 'max_backoff');
  const max_backoff_ms = mb ? restartDelay(mb, r) : DEFAULTS.restart.max_backoff_ms;
  if (policy === undefined || max_retries === undefined || backoff_ms === undefined || max_backoff_ms === undefined) return undefined;
  if (max_backoff_ms < backoff_ms) {
    const at = mb ?? m;
    r.problems.error(at.pos, entry(m, 'max_backoff') ? at.path : m.path, `max_backoff (${max_backoff_ms}ms) is smaller than backoff (${backoff_ms}ms)`);
    return undefined;
  }
  return { policy, max_retries, backoff_ms, max_backoff_ms };
}

/** `backoff` / `max_backoff`: a duration, at least DEFAULTS.minBackoffMs (as probe intervals
 * have a minimum) so that a crashing service cannot restart in a hot loop. */
function restartDelay(n: YNode, r: Readers): number | undefined {
  const v = r.duration(n);
  if (v === undefined || v >= DEFAULTS.minBackoffMs) return v;
  r.problems.error(n.pos, n.path, `must be at least ${DEFAULTS.minBackoffMs}ms, got ${v}ms (a shorter delay restarts a crashing service in a hot loop)`);
  return undefined;
}

function normaliseSignal(n: YNode, r: Readers): string | undefined {
  const s = n.kind === 'scalar' && typeof n.value === 'string' ? n.value.trim().toUpperCase() : undefined;
  const name = s === undefined ? undefined : s.startsWith('SIG') ? s : `SIG${s}`;
  if (name !== undefined && (STOP_SIGNALS as readonly string[]).includes(name)) return name;
  r.problems.error(n.pos, n.path, () => `${quoted(n)} is not a known signal name${didYouMean(name ?? '', STOP_SIGNALS)}; e.g. SIGTERM, SIGINT, SIGQUIT`);
  return undefined;
}

function normaliseUi(n: YNode, r: Readers): UiHints | undefined {
  const m = r.map(n, 'a map {position: {x, y}}');
  if (!m) return undefined;
  r.keys(m, FIELDS.ui);
  const p = value(m, 'position');
  if (!p) return {};
  const pm = r.map(p, 'a map {x, y}');
  if (!pm) return undefined;
  r.keys(pm, FIELDS.position);
  const xn = value(pm, 'x');
  const yn = value(pm, 'y');
  const x = xn ? r.number(xn) : undefined;
  const y = yn ? r.number(yn) : undefined;
  return x === undefined || y === undefined ? undefined : { position: { x, y } };
}
