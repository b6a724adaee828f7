// What went wrong at runtime, one entry per cause, for the Problems panel beside the config
// problems: start errors, crash loops, failing health checks, image problems, unexpected exits,
// and dependency edges whose address cannot work. Pure, so the rules are tested on their own.
import type { ResolvedEdge } from '../../../shared/network-types';
import type { ServiceState } from '../../../shared/service-state';
import type { ProgressFailure } from '../stores/run-store';

export type RuntimeProblemKind = 'start' | 'crash-loop' | 'health' | 'image' | 'exit' | 'edge';

export interface RuntimeProblem {
  service: string;
  kind: RuntimeProblemKind;
  severity: 'error' | 'warning';
  message: string;
}

const IMAGE_TASKS = new Set(['pull', 'build', 'image']);
const IMAGE_WORDS = /\bimage\b|\bpull\b|manifest|registry/i;

function exitText(s: ServiceState): string {
  if (s.signal) return `killed by ${s.signal}`;
  if (s.exitCode !== undefined && s.exitCode !== null) return `exit code ${s.exitCode}`;
  return 'ended';
}

function fromState(s: ServiceState): RuntimeProblem | null {
  const p = (kind: RuntimeProblemKind, message: string, severity: RuntimeProblem['severity'] = 'error'): RuntimeProblem => ({ service: s.name, kind, severity, message });
  switch (s.status) {
    case 'failed': {
      const why = s.error ?? exitText(s);
      if (s.restarts > 0) return p('crash-loop', `crash loop: gave up after ${s.restarts} restart${s.restarts === 1 ? '' : 's'}: ${why}`);
      return p(IMAGE_WORDS.test(why) ? 'image' : 'start', why);
    }
    case 'unhealthy':
      return p('health', `health check failing: ${s.health && !s.health.ok ? s.health.message : (s.error ?? 'no answer')}`);
    case 'starting':
    case 'running':
    case 'healthy':
      if (s.restarts > 0 && s.error) return p('crash-loop', `restarting (${s.restarts} restart${s.restarts === 1 ? '' : 's'} so far): ${s.error}`, 'warning');
      return null;
    case 'exited':
      if (s.error) return p('exit', `${exitText(s)}: ${s.error}`);
      if (s.signal || (s.exitCode !== undefined && s.exitCode !== null && s.exitCode !== 0)) return p('exit', `exited unexpectedly (${exitText(s)})`);
      return null;
    default:
      return s.error ? p('start', s.error) : null;
  }
}

export function runtimeProblems(
  states: Readonly<Record<string, ServiceState>>,
  failures: Readonly<Record<string, ProgressFailure>> = {},
  edges: readonly ResolvedEdge[] = [],
): RuntimeProblem[] {
  const out: RuntimeProblem[] = [];
  for (const [service, f] of Object.entries(failures)) {
    out.push({ service, kind: IMAGE_TASKS.has(f.task) ? 'image' : 'start', severity: 'error', message: `${f.task} failed: ${f.message}` });
  }
  for (const s of Object.values(states)) {
    const p = fromState(s);
    // A start that failed because its pull failed says the same thing twice: keep the step's words.
    if (p && !out.some((o) => o.service === p.service && o.message.includes(s.error ?? '\0'))) out.push(p);
  }
  for (const e of edges) {
    if (e.warning) out.push({ service: e.from, kind: 'edge', severity: 'warning', message: `reaching ${e.to}${e.address ? ` at ${e.address}${e.port ? `:${e.port}` : ''}` : ''}: ${e.warning}` });
  }
  const rank = (p: RuntimeProblem) => (p.severity === 'error' ? 0 : 1);
  return out.sort((a, b) => rank(a) - rank(b) || a.service.localeCompare(b.service));
}
