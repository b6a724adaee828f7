#!/usr/bin/env node
// Graph scale: 1000 services at 1.5 dependency edges each, rendered by the real renderer against a
// synthetic core over the real WebSocket server. Measures time to first render, elk layout time (in
// its worker), p95 frame time while panning and while 10% of nodes change status at 10 Hz, and
// proves only the changed nodes re-render. Targets: first render < 1 s, p95 frame < 33 ms.
import { fileURLToPath } from 'node:url';
import { launchBrowser, loadBuilt, percentile, printTable, processService, rendererInfo, recordFrames, syntheticCore } from './bench-support.mjs';

export async function runGraphScale({ services = 1000, edgesPerService = 1.5, churnFraction = 0.1, churnHz = 10, seconds = 3, print = true } = {}) {
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
    await page.locator('.service-node').first().waitFor({ timeout: 120_000 });
    const firstRenderMs = Date.now() - t0;
    // The layout runs in its worker after the first render; wait for it to land.
    await page.waitForFunction(() => window.__harness.controller.lastLayoutMs > 0, null, { timeout: 180_000 });
    const layoutMs = await page.evaluate(() => window.__harness.controller.lastLayoutMs);
    await page.waitForTimeout(500);
    const rendered = await page.locator('.service-node').count();
    const renderer = await rendererInfo(page);

    // Pan with the mouse across the canvas while recording frames.
    const pane = page.locator('.react-flow__pane');
    const box = await pane.boundingBox();
    const frames = recordFrames(page, seconds * 1000);
    const cx = box.x + box.width / 2;
    const cy = box.y + box.height / 2;
    await page.mouse.move(cx, cy);
    await page.mouse.down();
    const steps = seconds * 30;
    for (let i = 0; i < steps; i++) {
      await page.mouse.move(cx + Math.sin(i / 10) * 300, cy + Math.cos(i / 10) * 200);
      await page.waitForTimeout(1000 / 30);
    }
    await page.mouse.up();
    const panFrames = await frames;

    // Status churn: 10% of nodes change at 10 Hz; count re-renders per node meanwhile.
    await page.evaluate(() => { for (const k of Object.keys(window.__harness.renderCounts)) delete window.__harness.renderCounts[k]; });
    const churned = list.slice(0, Math.round(services * churnFraction)).map((s) => s.config.name);
    const statuses = ['starting', 'running', 'healthy', 'unhealthy'];
    let tick = 0;
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
    const churnSet = new Set(churned);
    const otherRenders = Object.entries(counts).filter(([n]) => !churnSet.has(n)).reduce((a, [, c]) => a + c, 0);
    const churnRenders = churned.reduce((a, n) => a + (counts[n] ?? 0), 0);
    const visibleChurned = churned.filter((n) => counts[n] !== undefined).length;

    const result = {
      renderer,
      services,
      edges,
      renderedNodes: rendered,
      firstRenderMs,
      layoutMs: Math.round(layoutMs),
      panP95Ms: +percentile(panFrames, 95).toFixed(1),
      panFrames: panFrames.length,
      churnP95Ms: +percentile(churnFrames, 95).toFixed(1),
      churnTicks: tick,
      churnedNodeRenders: churnRenders,
      churnedNodesVisible: visibleChurned,
      unchangedNodeRenders: otherRenders,
    };
    if (print) {
      printTable('Graph scale (headless Chromium, software rendering)', [
        ['renderer', result.renderer],
        ['services / edges', `${services} / ${edges}`],
        ['nodes rendered (visible)', String(rendered)],
        ['time to first render', `${firstRenderMs} ms (target < 1000 ms): page load + snapshot + mounting the nodes; layout runs after`],
        ['elk layout (worker)', `${result.layoutMs} ms`],
        ['p95 frame, panning', `${result.panP95Ms} ms over ${panFrames.length} frames (target < 33 ms)`],
        ['p95 frame, 10% nodes at 10 Hz', `${result.churnP95Ms} ms (target < 33 ms)`],
        ['re-renders of changed nodes', `${churnRenders} over ${tick} ticks (${visibleChurned} of them on screen)`],
        ['re-renders of unchanged nodes', `${otherRenders} (must be 0)`],
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
  runGraphScale().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
