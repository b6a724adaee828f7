#!/usr/bin/env node
// Graph scale: 1000 services at 1.5 dependency edges each, rendered by the real renderer against a
// synthetic core over the real WebSocket server. Measures time to first render, elk layout time (in
// its worker), p95 frame time while panning and while 10% of nodes change status at 10 Hz, and
// proves only the changed nodes re-render. Targets: first render < 1 s, p95 frame < 33 ms.
import { fileURLToPath } from 'node:url';
import { launchBrowser, loadBuilt, percentile, printTable, processService, rendererInfo, recordFrames, syntheticCore } from './bench-support.mjs';

export async function runGraphScale({ services = 1000, edgesPerService = 1.5, churnFraction = 0.1, churnHz = 10, seconds = 3, elk = true, print = true } = {}) {
  const { startHarnessServer, ApiDispatcher, chromium } = await loadBuilt();
  // Deterministic DAG: each service depends on earlier ones, 1.5 edges per service on average.
  let seed = 42;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const list = [];
  let edges = 0;
  for (let i = 0; i < services; i++) {
    const deps = new Set();
    const want = i === 0 ? 0 : Math.floor(edgesPerService) + (rand() < edgesPerService % 1 ? 1 : 0);
    while (deps.size < Math.min(want, i)) deps.add(`svc-${Math.floor(rand() * i)}`);
    edges += deps.size;
    list.push(processService(`svc-${i}`, [...deps]));
  }
  const core = syntheticCore(ApiDispatcher, list);
  const server = await startHarnessServer({ dispatcher: core.dispatcher });
  const browser = await launchBrowser(chromium);
  try {
    const page = await browser.context.newPage();
    const t0 = Date.now();
    await page.goto(server.url);
    // First render: the nodes are on screen, as cards or (a large graph zoomed out to fit) as the
    // overview canvas with every visible service drawn.
    await page.locator('.service-node, [data-testid="graph-overview"][data-drawn]').first().waitFor({ timeout: 120_000 });
    const firstRenderMs = Date.now() - t0;
    // The page's own clock: navigation start to the first paint of the graph (no polling delay).
    const marks = await page.evaluate(() => Object.fromEntries(performance.getEntriesByType('mark').map((m) => [m.name, Math.round(m.startTime)])));
    // The quick layered layout runs synchronously with the snapshot (before the first render).
    await page.waitForFunction(() => window.__harness.controller.lastLayoutMs > 0, null, { timeout: 180_000 });
    const layoutMs = await page.evaluate(() => window.__harness.controller.lastLayoutMs);
    await page.waitForTimeout(500);
    const renderer = await rendererInfo(page);
    const pane = page.locator('.react-flow__pane');
    const box = await pane.boundingBox();
    const churned = list.slice(0, Math.round(services * churnFraction)).map((s) => s.config.name);
    const statuses = ['starting', 'running', 'healthy', 'unhealthy'];
    let tick = 0;

    // One phase: pan with the mouse while recording frames, then churn statuses while recording
    // frames and counting re-renders per node.
    const phase = async () => {
      const view = await page.evaluate(() => ({
        transform: document.querySelector('.react-flow__viewport')?.style.transform ?? '',
        drawn: Number(document.querySelector('[data-testid="graph-overview"]')?.getAttribute('data-drawn') ?? 0),
        cards: document.querySelectorAll('.service-node').length,
      }));
      const viewRendersBefore = await page.evaluate(() => window.__harness.renderCounts['(graph-view)'] ?? 0);
      const frames = recordFrames(page, seconds * 1000);
      const cx = box.x + box.width / 2;
      const cy = box.y + box.height / 2;
      await page.mouse.move(cx, cy);
      await page.mouse.down();
      for (let i = 0; i < seconds * 30; i++) {
        await page.mouse.move(cx + Math.sin(i / 10) * 300, cy + Math.cos(i / 10) * 200);
        await page.waitForTimeout(1000 / 30);
      }
      await page.mouse.up();
      const panFrames = await frames;
      const viewRendersWhilePanning = (await page.evaluate(() => window.__harness.renderCounts['(graph-view)'] ?? 0)) - viewRendersBefore;
      await page.evaluate(() => { for (const k of Object.keys(window.__harness.renderCounts)) delete window.__harness.renderCounts[k]; });
      const startTick = tick;
      const churnFramesP = recordFrames(page, seconds * 1000);
      const timer = setInterval(() => {
        tick++;
        for (const name of churned) {
          core.seq++;
          core.emit('status', { seq: core.seq, state: { name, type: 'Process', status: statuses[tick % statuses.length], restarts: tick, updatedAt: Date.now() } });
        }
      }, 1000 / churnHz);
      const churnFrames = await churnFramesP;
      clearInterval(timer);
      await page.waitForTimeout(300);
      const counts = await page.evaluate(() => ({ ...window.__harness.renderCounts }));
      const churnSet = new Set([...churned, '(graph-view)']);
      return {
        ...view,
        panP95Ms: +percentile(panFrames, 95).toFixed(1),
        panFrames: panFrames.length,
        viewRendersWhilePanning,
        viewRendersWhileChurning: counts['(graph-view)'] ?? 0,
        churnP95Ms: +percentile(churnFrames, 95).toFixed(1),
        churnTicks: tick - startTick,
        churnedNodeRenders: churned.reduce((a, n) => a + (counts[n] ?? 0), 0),
        churnedNodesVisible: churned.filter((n) => counts[n] !== undefined).length,
        unchangedNodeRenders: Object.entries(counts).filter(([n]) => !churnSet.has(n)).reduce((a, [, c]) => a + c, 0),
      };
    };

    const fit = await phase();
    // Zoom in on the top-left of the graph (where the churned services sit: they are the oldest,
    // with the fewest dependencies) until nodes are full cards, and measure again.
    await page.evaluate(() => window.__harness.zoomForBench?.({ x: 0, y: 0, zoom: 0.9 }));
    await page.waitForTimeout(800);
    const zoomed = await phase();

    // elk is no longer automatic at this size: time it on demand (the graph view's layout button).
    let elkMs = null;
    if (elk) {
      await page.evaluate(() => window.__harness.controller.elkLayout());
      elkMs = Math.round(await page.evaluate(() => window.__harness.controller.lastElkMs));
    }

    const result = { renderer, services, edges, firstRenderMs, marks, layoutMs: +layoutMs.toFixed(1), elkMs, fit, zoomed };
    const row = (label, r) => [
      [`${label}: viewport`, `${r.transform} (${r.cards} cards in the DOM, ${r.drawn} services on the overview canvas)`],
      [`${label}: p95 frame, panning`, `${r.panP95Ms} ms over ${r.panFrames} frames (target < 33 ms); graph view re-rendered ${r.viewRendersWhilePanning}x`],
      [`${label}: p95 frame, 10% at 10 Hz`, `${r.churnP95Ms} ms (target < 33 ms)`],
      [`${label}: re-renders, changed`, `${r.churnedNodeRenders} over ${r.churnTicks} ticks (${r.churnedNodesVisible} of them mounted)`],
      [`${label}: re-renders, unchanged`, `${r.unchangedNodeRenders} (must be 0); graph view ${r.viewRendersWhileChurning}x`],
    ];
    if (print) {
      printTable('Graph scale (headless Chromium, software rendering)', [
        ['renderer', result.renderer],
        ['services / edges', `${services} / ${edges}`],
        ['time to first render', `${firstRenderMs} ms (target < 1000 ms): page load + snapshot + layout + first paint of the graph`],
        ['  in-page marks (ms)', `boot ${marks['harness:boot']}, snapshot received ${marks['harness:snapshot-received']}, applied ${marks['harness:snapshot-applied']}, graph painted ${marks['harness:graph-painted'] ?? 'n/a (cards)'}`],
        ['quick layered layout (sync)', `${result.layoutMs} ms (part of the first render)`],
        ['elk layout (worker, on demand)', elkMs === null ? 'skipped (--no-elk)' : `${elkMs} ms (automatic only up to 150 nodes)`],
        ...row('fit', fit),
        ...row('zoomed', zoomed),
      ]);
    }
    return result;
  } finally {
    await browser.close();
    await server.close();
  }
}

/** Entry for bench/run.mjs. */
export const run = () => runGraphScale();

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  runGraphScale({ elk: !process.argv.includes('--no-elk') }).catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
