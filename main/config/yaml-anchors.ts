// Resolves every alias of a document in one pass, before anything is expanded. yaml's own
// `Alias.resolve` walks the whole document on each call, so expanding aliases with it is
// quadratic; here each alias is mapped to its anchor once, an unknown alias is reported once at
// its own position (not once per expansion), and nesting deeper than the limit is refused before
// the tree is built.
import { isAlias, isMap, isPair, isScalar, isSeq, type Alias, type Document, type LineCounter, type Node } from 'yaml';
import { LIMITS } from './fields.js';
import type { ProblemList } from './problems.js';
import { childPath, offsetPos } from './yaml-tree.js';

export type AliasTargets = Map<Alias, Node>;

interface Visit {
  node: unknown;
  depth: number;
  /** The collection holding this node, and the key or index under it: the field path is built
   * from these only when a problem needs it. */
  parent?: Visit;
  key?: string | number;
}

/** `services[0].target`-style path of a visited node; `<<` merge sources stay at the map's path. */
function pathOf(v: Visit): string {
  const keys: Array<string | number> = [];
  for (let at: Visit | undefined = v; at?.parent; at = at.parent) if (at.key !== undefined) keys.push(at.key);
  return keys.reverse().reduce<string>((p, k) => childPath(p, k), '');
}

/** Whether `node` is an ancestor of the visited node. Anchors precede their aliases, so an alias
 * whose expansion reaches it again must lie inside the node it names: this finds every loop. */
function encloses(v: Visit, node: unknown): boolean {
  for (let at = v.parent; at; at = at.parent) if (at.node === node) return true;
  return false;
}

/** Alias → the node it names: the last node before it (in document order) carrying that anchor,
 * as YAML and yaml's `Alias.resolve` define it. Undefined after reporting a problem. */
export function resolveAliases(doc: Document, lc: LineCounter, problems: ProblemList): AliasTargets | undefined {
  const targets: AliasTargets = new Map();
  const anchors = new Map<string, Node>();
  const posOf = (n: { range?: readonly number[] | null }) => offsetPos(lc, n.range?.[0] ?? 0);
  const before = problems.errorCount;
  // Iterative pre-order walk: a node, then its children in order (a pair's key before its value).
  const stack: Visit[] = [{ node: doc.contents, depth: 0 }];
  while (stack.length > 0) {
    const v = stack.pop()!;
    const node = v.node;
    if (isAlias(node)) {
      const target = anchors.get(node.source);
      if (!target) problems.error(posOf(node), pathOf(v), `unknown alias *${node.source}: no anchor &${node.source} before it`);
      else if (encloses(v, target)) {
        problems.error(posOf(node), pathOf(v), `alias *${node.source} is inside the node &${node.source} it names, so it would expand forever`);
      } else targets.set(node, target);
      continue;
    }
    if (!isMap(node) && !isSeq(node) && !isScalar(node)) continue;
    if (node.anchor) anchors.set(node.anchor, node);
    if (isScalar(node)) continue;
    if (v.depth >= LIMITS.maxDepth && node.items.length > 0) {
      problems.error(posOf(node), pathOf(v), `nesting deeper than ${LIMITS.maxDepth} levels`);
      return undefined;
    }
    const depth = v.depth + 1;
    // Pushed last child first, so that they pop in document order.
    for (let i = node.items.length - 1; i >= 0; i--) {
      const it: unknown = node.items[i];
      if (!isMap(node)) {
        stack.push({ node: it, depth, parent: v, key: i });
        continue;
      }
      if (!isPair(it)) continue;
      const k = it.key;
      const key = isScalar(k) ? String(k.value ?? '') : '';
      const merge = key === '<<' && isScalar(k) && k.type === 'PLAIN';
      stack.push({ node: it.value, depth, parent: v, key: merge ? undefined : key });
      // Keys are visited too (before their value) when they can matter: a collection or alias as
      // a key, or a scalar key carrying an anchor.
      if (k !== null && (!isScalar(k) || k.anchor)) stack.push({ node: k, depth, parent: v, key });
    }
  }
  return problems.errorCount > before ? undefined : targets;
}
