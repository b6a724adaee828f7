import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fitViewport, onScreen } from './fit-viewport';

const corner = { width: 190, height: 140 };

describe('fit view', () => {
  it('never puts the graph under the minimap corner, and keeps it inside the canvas, for any graph that fits at the minimum zoom', () => {
    fc.assert(
      fc.property(
        fc.record({
          x: fc.integer({ min: -5000, max: 5000 }),
          y: fc.integer({ min: -5000, max: 5000 }),
          width: fc.integer({ min: 1, max: 20_000 }),
          height: fc.integer({ min: 1, max: 20_000 }),
        }),
        fc.integer({ min: 420, max: 2600 }),
        fc.integer({ min: 320, max: 1600 }),
        (bounds, width, height) => {
          // At the minimum zoom a graph may simply not fit: no promise is made then.
          fc.pre(bounds.width * 0.01 <= width - 32 - corner.width && bounds.height * 0.01 <= height - 32 - corner.height);
          const v = fitViewport(bounds, { width, height }, { margin: 16, corner, minZoom: 0.01, maxZoom: 1.2 });
          const r = onScreen(bounds, v);
          const slack = 1.5; // RF floors paddings to whole pixels
          expect(r.x).toBeGreaterThanOrEqual(16 - slack);
          expect(r.y).toBeGreaterThanOrEqual(16 - slack);
          expect(r.x + r.width).toBeLessThanOrEqual(width - 16 + slack);
          expect(r.y + r.height).toBeLessThanOrEqual(height - 16 + slack);
          const cx = width - corner.width;
          const cy = height - corner.height;
          const intersects = r.x + r.width > cx + slack && r.y + r.height > cy + slack;
          expect(intersects).toBe(false);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('gives up height for a wide graph and width for a tall one (whichever leaves it larger)', () => {
    const area = { width: 1000, height: 600 };
    const opts = { margin: 16, corner, minZoom: 0.02, maxZoom: 5 };
    const wide = onScreen({ x: 0, y: 0, width: 4000, height: 400 }, fitViewport({ x: 0, y: 0, width: 4000, height: 400 }, area, opts));
    expect(wide.width).toBeCloseTo(1000 - 32, 0);
    expect(wide.y + wide.height).toBeLessThanOrEqual(600 - 140);
    const tall = onScreen({ x: 0, y: 0, width: 300, height: 3000 }, fitViewport({ x: 0, y: 0, width: 300, height: 3000 }, area, opts));
    expect(tall.height).toBeCloseTo(600 - 32, 0);
    expect(tall.x + tall.width).toBeLessThanOrEqual(1000 - 190);
  });

  it('without a minimap only the margin is kept', () => {
    const v = fitViewport({ x: 0, y: 0, width: 1000, height: 500 }, { width: 1032, height: 800 }, { margin: 16, minZoom: 0.02, maxZoom: 5 });
    expect(v.zoom).toBeCloseTo(1, 2);
  });
});
