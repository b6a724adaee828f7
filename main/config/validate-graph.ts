// Checks across services: names, env-prefix collisions, unknown and self dependencies, cycles.
// Linear in services + dependencies: suggestions for unknown names are computed only for the
// problems that are listed, and a cycle's text only when it is printed.
import { envPrefix } from '../../shared/config-types.js';
import { SERVICE_NAME } from '../../shared/payload-schema.js';
import { didYouMean } from './did-you-mean.js';
import type { ServiceEntry } from './normalise-service.js';
import type { ProblemList } from './problems.js';

type Dep = ServiceEntry['deps'][number];
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
  const edges = new Map<string, Dep[]>();
  for (const e of byName.values()) {
    const ok: Dep[] = [];
    for (const d of e.deps) {
      if (d.name === e.name) problems.error(d.node.pos, d.node.path, `service "${e.name}" depends on itself`);
      else if (!byName.has(d.name)) {
        const self = e.name;
        problems.error(d.node.pos, d.node.path, () => `unknown dependency "${d.name}"${didYouMean(d.name, names.filter((n) => n !== self))}`);
      } else ok.push(d);
    }
    edges.set(e.name!, ok);
  }
  reportCycles(names, edges, problems);
}

/** Iterative DFS (a long chain must not overflow the stack); every back edge closes a cycle.
 * Each edge is examined once and a cycle found this way holds exactly one back edge, so no cycle
 * is reported twice. The DFS-tree parent of a node never changes once set, which lets a message
 * rebuild its cycle later, and only if it is listed. */
function reportCycles(names: string[], edges: Map<string, Dep[]>, problems: ProblemList): void {
  const colour = new Map<string, 1 | 2>();
  const parent = new Map<string, string>();
  for (const root of names) {
    if (colour.has(root)) continue;
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
      const c = colour.get(dep.name);
      if (c === undefined) {
        colour.set(dep.name, 1);
        parent.set(dep.name, top.name);
        stack.push({ name: dep.name, i: 0 });
      } else if (c === 1) {
        const from = top.name;
        problems.error(dep.node.pos, dep.node.path, () => {
          const cycle = [from];
          for (let n = from; n !== dep.name; ) cycle.push((n = parent.get(n)!));
          return `dependency cycle: ${[...cycle.reverse(), dep.name].join(' -> ')}`;
        });
      }
    }
  }
}
