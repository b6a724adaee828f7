import { describe, expect, it } from 'vitest';
import type { ServiceConfig } from '../../../shared/config-types';
import { configToGraph } from '../../../shared/graph/graph-model';
import { LARGE_GRAPH_NODES, NODE_HEIGHT, NODE_WIDTH } from '../graph/scale';
import { createGraphStore } from './graph-store';

function svc(name: string, dependencies: string[] = []): ServiceConfig {
  return {
    name,
    target: { type: 'Process', binary: 'node', args: [], env: {}, working_dir: '/tmp', ports: [] },
    dependencies,
    restart: { policy: 'no', max_retries: 0, backoff_ms: 0, max_backoff_ms: 0 },
    stop_signal: 'SIGTERM',
    stop_grace_period_ms: 1000,
  };
}

const meta = (configs: ServiceConfig[]) => ({ file: '/x/services.yaml', project: 'x', dirty: false, problems: [], configs });

describe('graph store', () => {
  it('keeps node objects of unchanged services across snapshots (memoised nodes skip rendering)', () => {
    const g = createGraphStore();
    const a = [svc('store'), svc('api', ['store'])];
    g.getState().setModel(meta(a), configToGraph(a), new Map([['store', { x: 0, y: 0 }], ['api', { x: 300, y: 0 }]]));
    const before = g.getState().nodes;
    const b = [svc('store'), { ...svc('api', ['store']), target: { ...a[1].target, binary: 'deno' } } as ServiceConfig];
    g.getState().setModel(meta(b), configToGraph(b), new Map());
    expect(g.getState().nodes[0]).toBe(before[0]);
    expect(g.getState().nodes[1]).not.toBe(before[1]);
    expect(g.getState().nodes[1].position).toEqual({ x: 300, y: 0 });
  });

  it('gives a large graph fixed-size, pre-measured nodes with handles, so React Flow can cull unmeasured nodes', () => {
    const g = createGraphStore();
    const small = Array.from({ length: 3 }, (_, i) => svc(`s${i}`));
    g.getState().setModel(meta(small), configToGraph(small), new Map());
    expect(g.getState().large).toBe(false);
    expect(g.getState().nodes[0].measured).toBeUndefined();
    const big = Array.from({ length: LARGE_GRAPH_NODES + 1 }, (_, i) => svc(`s${i}`));
    g.getState().setModel(meta(big), configToGraph(big), new Map());
    expect(g.getState().large).toBe(true);
    for (const n of g.getState().nodes) {
      expect(n).toMatchObject({ width: NODE_WIDTH, height: NODE_HEIGHT, measured: { width: NODE_WIDTH, height: NODE_HEIGHT } });
      expect(n.handles?.map((h) => h.type)).toEqual(['target', 'source']);
    }
  });

  it('a node without a saved position goes back to where the layout put it, not where it was dragged', () => {
    const g = createGraphStore();
    const a = [svc('store')];
    g.getState().setModel(meta(a), configToGraph(a), new Map([['store', { x: 10, y: 20 }]]));
    // A drag moves it on screen (the file gets the position only through an edit)…
    g.getState().applyNodeChanges([{ type: 'position', id: 'store', position: { x: 400, y: 500 } }]);
    expect(g.getState().nodes[0].position).toEqual({ x: 400, y: 500 });
    // …and undoing that edit brings a snapshot without a position again.
    g.getState().setModel(meta(a), configToGraph(a), new Map());
    expect(g.getState().nodes[0].position).toEqual({ x: 10, y: 20 });
  });

  it('selectOnly leaves exactly one node selected', () => {
    const g = createGraphStore();
    const a = [svc('a'), svc('b'), svc('c')];
    g.getState().setModel(meta(a), configToGraph(a), new Map());
    g.getState().applyNodeChanges([{ type: 'select', id: 'a', selected: true }, { type: 'select', id: 'b', selected: true }]);
    g.getState().selectOnly('c');
    expect(g.getState().nodes.filter((n) => n.selected).map((n) => n.id)).toEqual(['c']);
  });
});
