// Checks across services: names, env-prefix collisions, unknown and self dependencies, cycles.
import { envPrefix } from '../../shared/config-types.js';
import { SERVICE_NAME } from '../../shared/payload-schema.js';
import { didYouMean } from './did-you-mean.js';
import type { ServiceEntry } from './normalise-service.js';
import type { ProblemList } from './problems.js';

/** The loader's words for a bad name; renames and additions refuse with these too. */
export function invalidServiceNameMessage(name: string): string {
  return `invalid service name "${name}": must start with a letter and contain only letters, digits, '_', '.', '-' (at most 63 characters)`;
}

export function duplicateServiceNameMessage(name: string, firstLine: number): string {
  return `duplicate service name "${name}" (first defined at line ${firstLine})`;
}

export function validateGraph(entries: ServiceEntry[], problems: ProblemList): void {
  const byName = new Map<string, ServiceEntry>();
  const byPrefix = new Map<string, ServiceEntry>();
  for (const e of entries) {
    if (e.name === undefined) continue;
    const at = e.nameNode;
    if (!SERVICE_NAME.test(e.name)) {
      problems.error(at.pos, at.path, invalidServiceNameMessage(e.name));
      continue;
    }
    const first = byName.get(e.name);
    if (first) {
      problems.error(at.pos, at.path, duplicateServiceNameMessage(e.name, first.nameNode.pos.line));
      continue;
    }
    byName.set(e.name, e);
    const prefix = envPrefix(e.name);
    const clash = byPrefix.get(prefix);
    if (clash) {
      problems.error(
        at.pos,
        at.path,
        `services "${clash.name}" (line ${clash.nameNode.pos.line}) and "${e.name}" both map to the environment prefix ${prefix}_ (${prefix}_ADDR, ${prefix}_PORT); rename one`,
      );
      continue;
    }
    byPrefix.set(prefix, e);
  }

  const names = [...byName.keys()];
  const edges = new Map<string, Array<{ name: string; node: ServiceEntry['deps'][number]['node'] }>>();
  for (const e of byName.values()) {
    const ok: Array<{ name: string; node: ServiceEntry['deps'][number]['node'] }> = [];
    for (const d of e.deps) {
      if (d.name === e.name) problems.error(d.node.pos, d.node.path, `service "${e.name}" depends on itself`);
      else if (!byName.has(d.name)) {
        problems.error(d.node.pos, d.node.path, `unknown dependency "${d.name}"${didYouMean(d.name, names.filter((n) => n !== e.name))}`);
      } else ok.push(d);
    }
    edges.set(e.name!, ok);
  }
  reportCycles(names, edges, problems);
}

function reportCycles(
  names: string[],
  edges: Map<string, Array<{ name: string; node: ServiceEntry['deps'][number]['node'] }>>,
  problems: ProblemList,
): void {
  // Iterative DFS (a long chain must not overflow the stack); a back edge closes a cycle.
  const colour = new Map<string, 0 | 1 | 2>();
  const seen = new Set<string>();
  for (const root of names) {
    if (colour.get(root)) continue;
    const stack: Array<{ name: string; i: number }> = [{ name: root, i: 0 }];
    colour.set(root, 1);
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      const out = edges.get(top.name) ?? [];
      if (top.i >= out.length) {
        colour.set(top.name, 2);
        stack.pop();
        continue;
      }
      const dep = out[top.i++];
      const c = colour.get(dep.name) ?? 0;
      if (c === 0) {
        colour.set(dep.name, 1);
        stack.push({ name: dep.name, i: 0 });
      } else if (c === 1) {
        const from = stack.findIndex((f) => f.name === dep.name);
        const cycle = stack.slice(from).map((f) => f.name);
        const key = canonical(cycle);
        if (seen.has(key)) continue;
        seen.add(key);
        problems.error(dep.node.pos, dep.node.path, `dependency cycle: ${[...cycle, dep.name].join(' -> ')}`);
      }
    }
  }
}

function canonical(cycle: string[]): string {
  const min = cycle.indexOf([...cycle].sort()[0]);
  return [...cycle.slice(min), ...cycle.slice(0, min)].join('\0');
}
