// `depends_on` (list and map forms, with conditions) and `links` to Harness `dependencies`, with
// each difference in waiting listed: Harness waits until a dependency is ready (healthy when it
// has a health check, else running).
import { childPath, get } from './compose-tree.js';
import type { ServiceScope } from './context.js';
import type { Entry } from './convert-compose.js';
import { scalarText } from './values.js';

export function dependencies(
  s: ServiceScope,
  byCompose: Map<string, Entry>,
  mapped: Map<string, { healthy: boolean; entry: Entry }>,
): string[] {
  const deps: string[] = [];
  const add = (dep: string, at: { line: number; path: string }, condition: string, required: boolean): void => {
    const entry = byCompose.get(dep);
    if (!entry) {
      s.notConverted(at, `no service "${dep}" in the file`);
      return;
    }
    if (!entry.included) {
      s.notConverted(at, `${dep} is only in profile(s) ${entry.profiles.join(', ')}, which were not selected; the dependency is dropped`);
      return;
    }
    const m = mapped.get(dep);
    if (!m) {
      s.notConverted(at, `${dep} is not imported; the dependency is dropped`);
      return;
    }
    if (deps.includes(m.entry.name)) return;
    deps.push(m.entry.name);
    if (!required) s.approximated(at, `Harness has no optional dependencies: ${s.name} waits for ${m.entry.name}`);
    if (condition === 'service_started' && m.healthy) {
      s.approximated(at, `service_started: Harness starts ${s.name} once ${m.entry.name} is healthy (its health check), not as soon as it has started`);
    } else if (condition === 'service_completed_successfully') {
      s.approximated(at, `service_completed_successfully: Harness has no "completed" condition; ${s.name} starts once ${m.entry.name} is ready (${m.healthy ? 'healthy' : 'running'}), not after it exited with status 0`);
    } else if (condition !== 'service_started' && condition !== 'service_healthy') {
      s.notConverted(at, `unknown condition "${condition}"; ${s.name} waits until ${m.entry.name} is ready`);
    }
  };
  const dependsOn = get(s.node, 'depends_on');
  if (dependsOn?.kind === 'seq') {
    for (const it of dependsOn.items) {
      const d = scalarText(it);
      if (d === undefined) s.notConverted(it, 'expected a service name');
      else add(d, it, 'service_started', true);
    }
  } else if (dependsOn?.kind === 'map') {
    for (const e of dependsOn.entries) {
      const at = { line: e.line, path: childPath(dependsOn.path, e.key) };
      let condition = 'service_started';
      let required = true;
      if (e.value.kind === 'map') {
        for (const f of e.value.entries) {
          const v = scalarText(f.value);
          const fat = { line: f.line, path: childPath(at.path, f.key) };
          if (f.key === 'condition') condition = v ?? condition;
          else if (f.key === 'required') required = !(f.value.kind === 'scalar' && (f.value.value === false || v === 'false'));
          else if (f.key === 'restart') {
            if (v === 'true') s.notConverted(fat, `Harness does not restart ${s.name} when ${e.key} restarts`);
          } else s.notConverted(fat, `unknown depends_on field "${f.key}"`);
        }
      }
      add(e.key, at, condition, required);
    }
  } else if (dependsOn && !(dependsOn.kind === 'scalar' && dependsOn.value === null)) {
    s.notConverted(dependsOn, 'expected a list of service names or a map of conditions');
  }
  const links = get(s.node, 'links');
  if (links?.kind === 'seq') {
    for (const it of links.items) {
      const t = scalarText(it);
      if (t === undefined) continue;
      const [dep, alias] = t.split(':');
      add(dep, it, 'service_started', true);
      const name = byCompose.get(dep)?.name ?? dep;
      if (alias !== undefined && alias !== dep) s.notConverted(it, `alias "${alias}": containers reach ${name} by its service name only`);
    }
  } else if (links) s.notConverted(links, 'expected a list of service names');
  return deps;
}
