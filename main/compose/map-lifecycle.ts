// restart, deploy (restart_policy is converted; the rest is Swarm or resource settings),
// stop_signal and stop_grace_period.
import { constants } from 'node:os';
import { STOP_SIGNALS } from '../config/fields.js';
import { get, type CMap, type CNode } from './compose-tree.js';
import type { ServiceScope } from './context.js';
import { harnessDuration, scalarText } from './values.js';

export interface LifecycleResult {
  restart?: string | Record<string, unknown>;
  stop_signal?: string;
  stop_grace_period?: string;
}

const SWARM = 'a Swarm setting; Harness runs one container per service on this engine';

export function mapLifecycle(s: ServiceScope): LifecycleResult {
  const out: LifecycleResult = {};
  const deploy = get(s.node, 'deploy');
  const policy = deploy?.kind === 'map' ? get(deploy, 'restart_policy') : undefined;
  if (deploy) mapDeploy(deploy, s, out);
  const restart = get(s.node, 'restart');
  if (restart && policy) s.notConverted(restart, 'deploy.restart_policy is set and takes precedence');
  else if (restart) {
    const r = restartPolicy(restart, s);
    if (r !== undefined) out.restart = r;
  }
  const sig = get(s.node, 'stop_signal');
  if (sig) {
    const name = signalName(scalarText(sig));
    if (name) out.stop_signal = name;
    else s.notConverted(sig, `signal "${scalarText(sig) ?? ''}" is not one Harness can send (${STOP_SIGNALS.join(', ')})`);
  }
  const grace = get(s.node, 'stop_grace_period');
  if (grace) {
    const text = scalarText(grace);
    const d = text === undefined ? undefined : harnessDuration(text);
    if (d === undefined) s.notConverted(grace, `"${text ?? ''}" is not a duration (e.g. 10s, 1m30s)`);
    else out.stop_grace_period = s.refs(grace, d);
  }
  return out;
}

function restartPolicy(n: CNode, s: ServiceScope): string | Record<string, unknown> | undefined {
  if (n.kind === 'scalar' && n.value === false) return undefined; // an unquoted YAML 1.1 `no`
  const v = scalarText(n);
  if (v === 'no' || v === '"no"') return undefined;
  if (v === 'always') return 'always';
  if (v === 'unless-stopped') {
    s.approximated(n, 'unless-stopped becomes always: Harness also restarts a container stopped outside Harness (docker stop)');
    return 'always';
  }
  const m = v === undefined ? null : /^on-failure(?::(\d+))?$/.exec(v);
  if (m) return m[1] === undefined ? 'on-failure' : { policy: 'on-failure', max_retries: Number(m[1]) };
  s.notConverted(n, `unknown restart policy "${v ?? ''}" (no, always, on-failure[:N], unless-stopped)`);
  return undefined;
}

function mapDeploy(n: CNode, s: ServiceScope, out: LifecycleResult): void {
  if (n.kind !== 'map') {
    s.notConverted(n, 'expected a map');
    return;
  }
  for (const e of n.entries) {
    const at = s.child(n, e.key);
    const v = scalarText(e.value);
    switch (e.key) {
      case 'replicas':
        if (v !== '1') s.notConverted(at, `${v ?? '?'} replicas: Harness runs one container per service`);
        break;
      case 'mode':
        if (v !== 'replicated') s.notConverted(at, SWARM);
        break;
      case 'restart_policy':
        out.restart = deployRestart(e.value, s);
        break;
      case 'resources':
        s.notConverted(at, 'Harness sets no resource limits or reservations');
        break;
      default:
        s.notConverted(at, SWARM);
    }
  }
}

function deployRestart(n: CNode, s: ServiceScope): string | Record<string, unknown> | undefined {
  if (n.kind !== 'map') {
    s.notConverted(n, 'expected a map {condition, delay, max_attempts, window}');
    return undefined;
  }
  const cond = scalarText(get(n, 'condition')) ?? 'any';
  const policy = cond === 'none' ? 'no' : cond === 'on-failure' ? 'on-failure' : cond === 'any' ? 'always' : undefined;
  if (policy === undefined) {
    s.notConverted(get(n, 'condition') as CNode, `unknown condition "${cond}" (none, on-failure, any)`);
    return undefined;
  }
  const r: Record<string, unknown> = { policy };
  for (const e of (n as CMap).entries) {
    const v = scalarText(e.value);
    if (e.key === 'condition') continue;
    if (e.key === 'max_attempts' && v !== undefined && /^\d+$/.test(v)) r.max_retries = Number(v);
    else if (e.key === 'delay' && v !== undefined && harnessDuration(v) !== undefined) {
      // A fixed delay: Harness doubles from `backoff` up to `max_backoff`, so both are the delay.
      r.backoff = harnessDuration(v);
      r.max_backoff = harnessDuration(v);
    } else if (e.key === 'window') s.notConverted(s.child(n as CMap, e.key), 'Harness counts restarts until the service is healthy again, not within a window');
    else s.notConverted(s.child(n as CMap, e.key), `unknown or invalid restart_policy field "${e.key}"`);
  }
  if (policy === 'no') return undefined;
  return Object.keys(r).length === 1 ? policy : r;
}

function signalName(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  const t = v.trim().toUpperCase();
  if (/^\d+$/.test(t)) {
    const hit = Object.entries(constants.signals).find(([, num]) => num === Number(t))?.[0];
    return hit && (STOP_SIGNALS as readonly string[]).includes(hit) ? hit : undefined;
  }
  const full = t.startsWith('SIG') ? t : `SIG${t}`;
  return (STOP_SIGNALS as readonly string[]).includes(full) ? full : undefined;
}
