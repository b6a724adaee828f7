// `healthcheck:` to a Harness `command` health check. CMD runs the words as given, CMD-SHELL (and
// a plain string) through `sh -c`, both inside the container (`docker exec`), as Docker does.
// Timing fields carry over; a 0 (Docker's "use the default") and omitted fields take Harness's
// defaults, which probe much sooner than Docker's (docs/services-yaml.md, Health checks).
import { childPath, get, type CMap, type CNode } from './compose-tree.js';
import type { ServiceScope } from './context.js';
import { harnessDuration, scalarText } from './values.js';

const TIMING = ['interval', 'timeout', 'start_period', 'start_interval'] as const;

export interface HealthResult {
  /** The Harness `health_check`, when one could be made. */
  check?: Record<string, unknown>;
  /** `test: [NONE]` or `disable: true`. */
  disabled: boolean;
}

export function mapHealthcheck(n: CNode, s: ServiceScope): HealthResult {
  if (n.kind !== 'map') {
    s.notConverted(n, 'expected a map {test, interval, timeout, retries, start_period}');
    return { disabled: false };
  }
  for (const e of n.entries) {
    if (!['test', 'disable', 'retries', ...TIMING].includes(e.key)) s.notConverted(s.child(n, e.key), `unknown healthcheck field "${e.key}"`);
  }
  const disable = get(n, 'disable');
  const test = get(n, 'test');
  const disabledByFlag = disable?.kind === 'scalar' && (disable.value === true || disable.value === 'true');
  const command = test ? testCommand(test, s) : undefined;
  if (disabledByFlag || command === 'NONE') {
    s.approximated(disabledByFlag ? s.child(n, 'disable') : s.child(n, 'test'),
      "health check switched off: Harness cannot switch off the image's own HEALTHCHECK, so dependents still wait for it when the image has one");
    return { disabled: true };
  }
  if (!test) {
    s.notConverted(n, "no test: Docker would run the image's HEALTHCHECK with these timings; Harness uses the image's HEALTHCHECK as it is");
    return { disabled: false };
  }
  if (command === undefined) return { disabled: false };
  const check: Record<string, unknown> = { type: 'command', command };
  for (const k of TIMING) {
    const v = get(n, k);
    if (!v) continue;
    const text = scalarText(v);
    const d = text === undefined ? undefined : harnessDuration(text);
    if (d === undefined) s.notConverted(v, `"${text ?? ''}" is not a duration (e.g. 10s, 1m30s)`);
    else if (d !== '0ms') check[k] = s.refs(v, d);
  }
  const retries = get(n, 'retries');
  if (retries) {
    const t = scalarText(retries);
    if (t !== undefined && t.includes('$')) check.retries = s.refs(retries, t);
    else if (t === undefined || !/^\d+$/.test(t)) s.notConverted(retries, 'expected a whole number');
    else if (Number(t) > 1000) {
      check.retries = 1000;
      s.approximated(retries, `${t} retries: Harness allows at most 1000`);
    } else if (Number(t) > 0) check.retries = Number(t);
  }
  return { check, disabled: false };
}

/** The probe: a string (run through sh -c), a list of words, 'NONE', or undefined (reported). */
function testCommand(test: CNode, s: ServiceScope): string | string[] | 'NONE' | undefined {
  if (test.kind === 'scalar') {
    const t = scalarText(test);
    if (t === undefined || t.trim() === '') {
      s.notConverted(test, 'an empty test');
      return undefined;
    }
    return s.refs(test, t);
  }
  if (test.kind !== 'seq' || test.items.length === 0) {
    s.notConverted(test, 'expected a string or a list ["CMD", ...] / ["CMD-SHELL", "..."] / ["NONE"]');
    return undefined;
  }
  const words = test.items.map((it) => scalarText(it));
  if (words.some((w) => w === undefined)) {
    s.notConverted(test, 'expected a list of strings');
    return undefined;
  }
  const [head, ...rest] = words as string[];
  if (head === 'NONE') return 'NONE';
  if (head === 'CMD' && rest.length > 0) return rest.map((w, i) => s.refs({ line: test.items[i + 1].line, path: childPath(test.path, i + 1) }, w));
  if (head === 'CMD-SHELL' && rest.length > 0) return s.refs(test, rest.join(' '));
  s.notConverted(test, `a test list starts with "CMD", "CMD-SHELL" or "NONE", not "${head}"`);
  return undefined;
}

/** Whether the compose service declares a health check that is on (for depends_on notes). */
export function declaresHealthcheck(svc: CMap): boolean {
  const h = get(svc, 'healthcheck');
  if (!h || h.kind !== 'map') return false;
  const d = get(h, 'disable');
  if (d?.kind === 'scalar' && (d.value === true || d.value === 'true')) return false;
  const t = get(h, 'test');
  if (!t) return false;
  return !(t.kind === 'seq' && t.items[0]?.kind === 'scalar' && t.items[0].value === 'NONE');
}
