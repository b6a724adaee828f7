import { describe, expect, it } from 'vitest';
import { layeredLayout } from './layered-layout';

const SIZE = { nodeWidth: 100, nodeHeight: 50, gapX: 20, gapY: 10 };

function deps(entries: Record<string, string[]>): Map<string, string[]> {
  return new Map(Object.entries(entries));
}

describe('layeredLayout', () => {
  it('puts every node one column right of its deepest dependency', () => {
    const d = deps({ store: [], api: ['store'], web: ['api', 'store'], worker: ['api'] });
    const p = layeredLayout([...d.keys()], d, SIZE);
    expect(p.get('store')!.x).toBe(0);
    expect(p.get('api')!.x).toBe(120);
    expect(p.get('web')!.x).toBe(240);
    expect(p.get('worker')!.x).toBe(240);
    expect(p.get('web')!.y).not.toBe(p.get('worker')!.y);
  });

  it('orders a column by the rows of the dependencies (fewer crossings)', () => {
    const d = deps({ a: [], b: [], onB: ['b'], onA: ['a'] });
    const p = layeredLayout([...d.keys()], d, SIZE);
    expect(p.get('onA')!.y).toBeLessThan(p.get('onB')!.y);
  });

  it('survives cycles, self-references and unknown names without overlapping nodes', () => {
    const d = deps({ a: ['b', 'ghost'], b: ['a'], c: ['c'] });
    const p = layeredLayout([...d.keys()], d, SIZE);
    expect(p.size).toBe(3);
    const spots = new Set([...p.values()].map((q) => `${q.x},${q.y}`));
    expect(spots.size).toBe(3);
  });

  it('lays out a deep chain of 5000 services without overflowing the stack', () => {
    const ids = Array.from({ length: 5000 }, (_, i) => `s${i}`);
    const d = new Map(ids.map((id, i) => [id, i === 0 ? [] : [`s${i - 1}`]]));
    const p = layeredLayout(ids, d, SIZE);
    expect(p.get('s4999')!.x).toBe(4999 * 120);
  });

  it('wraps a tall column into sub-columns and never overlaps two nodes', () => {
    const ids = Array.from({ length: 1000 }, (_, i) => `s${i}`);
    const d = new Map(ids.map((id, i) => [id, i < 900 ? [] : [`s${i % 900}`]]));
    const p = layeredLayout(ids, d, { ...SIZE, maxRows: 50 });
    const spots = new Set([...p.values()].map((q) => `${q.x},${q.y}`));
    expect(spots.size).toBe(1000);
    expect(Math.max(...[...p.values()].map((q) => q.y))).toBe(49 * 60);
    // Dependents sit right of every sub-column of their dependencies.
    const lastRoot = Math.max(...ids.slice(0, 900).map((id) => p.get(id)!.x));
    expect(Math.min(...ids.slice(900).map((id) => p.get(id)!.x))).toBeGreaterThan(lastRoot);
  });
});
