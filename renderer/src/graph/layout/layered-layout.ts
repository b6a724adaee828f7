// A cheap layered layout computed synchronously from dependency depth, so the first render never
// waits for elk: column = longest dependency chain below the node, order within a column by the
// average row of its dependencies (one barycentre sweep), tall columns wrapped into several
// sub-columns so a thousand services keep a sane aspect ratio. O(nodes + edges).

export interface LayeredOptions {
  nodeWidth: number;
  nodeHeight: number;
  /** Horizontal gap between columns. */
  gapX?: number;
  /** Vertical gap between nodes of a column. */
  gapY?: number;
  /** A column holding more nodes than this is wrapped into sub-columns. */
  maxRows?: number;
}

export type Point = { x: number; y: number };

/** Length of the longest dependency chain below each node (0: depends on nothing here).
 * `deps` maps a node id to the ids it depends on; unknown ids and cycles are tolerated. */
export function dependencyDepths(ids: readonly string[], deps: ReadonlyMap<string, readonly string[]>): Map<string, number> {
  const known = new Set(ids);
  const depth = new Map<string, number>();
  const onStack = new Set<string>();

  // Iterative DFS: a deep chain of a thousand services must not overflow the stack.
  for (const root of ids) {
    if (depth.has(root)) continue;
    const stack: Array<{ id: string; i: number; max: number }> = [{ id: root, i: 0, max: -1 }];
    onStack.add(root);
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      const ds = deps.get(top.id) ?? [];
      if (top.i < ds.length) {
        const d = ds[top.i++];
        // A cycle (the core reports it as a problem) or an unknown name adds no depth.
        if (!known.has(d) || onStack.has(d)) continue;
        const done = depth.get(d);
        if (done !== undefined) top.max = Math.max(top.max, done);
        else {
          onStack.add(d);
          stack.push({ id: d, i: 0, max: -1 });
        }
        continue;
      }
      stack.pop();
      onStack.delete(top.id);
      depth.set(top.id, top.max + 1);
      if (stack.length > 0) stack[stack.length - 1].max = Math.max(stack[stack.length - 1].max, top.max + 1);
    }
  }
  return depth;
}

/** `deps` maps a node id to the ids it depends on; unknown ids and cycles are tolerated. */
export function layeredLayout(ids: readonly string[], deps: ReadonlyMap<string, readonly string[]>, opts: LayeredOptions): Map<string, Point> {
  const gapX = opts.gapX ?? 90;
  const gapY = opts.gapY ?? 36;
  const depth = dependencyDepths(ids, deps);

  const columns: string[][] = [];
  for (const id of ids) (columns[depth.get(id)!] ??= []).push(id);
  const maxRows = opts.maxRows ?? Math.max(8, Math.ceil(Math.sqrt(ids.length) * 1.5));

  const row = new Map<string, number>();
  const out = new Map<string, Point>();
  let x = 0;
  for (const column of columns) {
    if (!column) continue;
    // Barycentre of the dependencies' rows (already placed: they sit in earlier columns).
    const key = new Map<string, number>();
    column.forEach((id, i) => {
      const placed = (deps.get(id) ?? []).map((d) => row.get(d)).filter((r): r is number => r !== undefined);
      key.set(id, placed.length > 0 ? placed.reduce((a, b) => a + b, 0) / placed.length : i);
    });
    const ordered = [...column].sort((a, b) => key.get(a)! - key.get(b)!);
    const sub = Math.ceil(ordered.length / maxRows);
    ordered.forEach((id, i) => {
      const r = i % maxRows;
      row.set(id, r);
      out.set(id, { x: x + Math.floor(i / maxRows) * (opts.nodeWidth + gapX), y: r * (opts.nodeHeight + gapY) });
    });
    x += sub * (opts.nodeWidth + gapX);
  }
  return out;
}
