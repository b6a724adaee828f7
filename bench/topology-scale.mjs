#!/usr/bin/env node
// Topology view at scale, printed against the graph view in the same run: 200 services (160 on
// this machine, 40 in two Docker networks) at 1.5 dependency edges each, every edge with its
// resolved address, served by the real WebSocket server from a synthetic core. For each view:
// time until it is drawn, and for the whole stack fitted and zoomed to cards, the p95 frame time
// while panning and while 10% of the services change status at 10 Hz, with re-render counts
// (unchanged cards must not re-render; the view itself not while panning).
import { fileURLToPath } from 'node:url';
import { launchBrowser, loadBuilt, percentile, printTable, processService, recordFrames, rendererInfo, syntheticCore } from './bench-support.mjs';

function stack(services, edgesPerService) {
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const list = [];
  const located = [];
  const edges = [];
  for (let i = 0; i < services; i++) {
    const name = `svc-${i}`;
    const docker = i % 5 === 4;
    const deps = new Set();
    const want = i === 0 ? 0 : Math.floor(edgesPerService) + (rand() < edgesPerService % 1 ? 1 : 0);
    while (deps.size < Math.min(want, i)) deps.add(`svc-${Math.floor(rand() * i)}`);
    list.push(processService(name, [...deps]));
    located.push({ name, location: docker ? { kind: 'docker', network: `harness-bench-${i % 2}`, ip: `172.18.${i % 2}.${(i % 250) + 2}` } : { kind: 'local' } });
    for (const d of deps) edges.push({ from: name, to: d, address: docker ? '172.18.0.1' : '127.0.0.1', port: 20000 + Number(d.slice(4)), note: 'declared port' });
  }
  const topology = {
    hostname: 'bench',
    interfaces: [{ name: 'lo', kind: 'loopback', addresses: ['127.0.0.1'] }, { name: 'eth0', kind: 'ethernet', addresses: ['192.0.2.10'] }],
    services: located,
    edges,
    dockerNetworks: [0, 1].map((n) => ({ name: `harness-bench-${n}`, subnet: `172.18.${n}.0/24`, gateway: `172.18.${n}.1` })),
  };
  return { list, topology, edgeCount: edges.length };
}

export async function runTopologyScale({ services = 200, edgesPerService = 1.5, churnFraction = 0.1, churnHz = 10, seconds = 3, print = true } = {}) {
  const { startHarnessServer, ApiDispatcher, chromium } = await loadBuilt();
  const { list, topology, edgeCount } = stack(services, edgesPerService);
  const core = syntheticCore(ApiDispatcher, list, () => [], topology);
  const server = await startHarnessServer({ dispatcher: core.dispatcher });
  const browser = await launchBrowser(chromium);
  const churned = list.slice(0, Math.round(services * churnFraction)).map((s) => s.config.name);
  const statuses = ['starting', 'running', 'healthy', 'unhealthy'];
  let tick = 0;
  try {
    const page = await browser.context.newPage();

    const phase = async (viewKey) => {
      const box = await page.locator('.graph-canvas .react-flow__pane').boundingBox();
      const cards = await page.evaluate(() => document.querySelectorAll('.service-node, .topo-service').length);
      const before = await page.evaluate((k) => window.__harness.renderCounts[k] ?? 0, viewKey);
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
      const pan = await frames;
      const viewWhilePanning = (await page.evaluate((k) => window.__harness.renderCounts[k] ?? 0, viewKey)) - before;
      await page.evaluate(() => { for (const k of Object.keys(window.__harness.renderCounts)) delete window.__harness.renderCounts[k]; });
      const startTick = tick;
      const churnFrames = recordFrames(page, seconds * 1000);
      const timer = setInterval(() => {
        tick++;
        for (const name of churned) {
          core.seq++;
          core.emit('status', { seq: core.seq, state: { name, type: 'Process', status: statuses[tick % statuses.length], restarts: tick, updatedAt: Date.now() } });
        }
      }, 1000 / churnHz);
      const churn = await churnFrames;
      clearInterval(timer);
      await page.waitForTimeout(300);
      const counts = await page.evaluate(() => ({ ...window.__harness.renderCounts }));
      const churnSet = new Set([...churned, viewKey]);
      return {
        cards,
        panP95Ms: +percentile(pan, 95).toFixed(1),
        panFrames: pan.length,
        viewWhilePanning,
        churnP95Ms: +percentile(churn, 95).toFixed(1),
        churnTicks: tick - startTick,
        changedRenders: churned.reduce((a, n) => a + (counts[n] ?? 0), 0),
        unchangedRenders: Object.entries(counts).filter(([n]) => !churnSet.has(n)).reduce((a, [, c]) => a + c, 0),
        viewWhileChurning: counts[viewKey] ?? 0,
      };
    };
    const zoomIn = async () => {
      await page.evaluate(() => window.__harness.zoomForBench?.({ x: 0, y: 0, zoom: 0.9 }));
      await page.waitForTimeout(800);
    };

    // Graph view: navigation to the first cards on screen.
    const t0 = Date.now();
    await page.goto(server.url);
    await page.locator('.service-node').first().waitFor({ timeout: 120_000 });
    const graphFirstMs = Date.now() - t0;
    await page.waitForTimeout(1000);
    const renderer = await rendererInfo(page);
    const graphFit = await phase('(graph-view)');
    await zoomIn();
    const graphZoomed = await phase('(graph-view)');

    // Topology view: the switch (fetch, layout, first paint of every group and card in view).
    const t1 = Date.now();
    await page.getByTestId('view-topology').click();
    await page.locator('[data-testid="topology-view"] .topo-service').first().waitFor({ timeout: 120_000 });
    await page.waitForFunction(() => document.querySelectorAll('.location-group').length >= 3, null, { timeout: 60_000 });
    const topoFirstMs = Date.now() - t1;
    await page.waitForTimeout(1000);
    const drawn = await page.evaluate(() => ({ groups: document.querySelectorAll('.location-group').length, labels: document.querySelectorAll('.edge-label').length }));
    const topoFit = await phase('(topology-view)');
    await zoomIn();
    const topoZoomed = await phase('(topology-view)');

    const result = { renderer, services, edges: edgeCount, graphFirstMs, topoFirstMs, drawn, graphFit, graphZoomed, topoFit, topoZoomed };
    if (print) {
      const row = (label, r) => [
        [`${label}: cards mounted`, `${r.cards}`],
        [`${label}: p95 frame, panning`, `${r.panP95Ms} ms over ${r.panFrames} frames (target < 33 ms); view re-rendered ${r.viewWhilePanning}x`],
        [`${label}: p95 frame, 10% at 10 Hz`, `${r.churnP95Ms} ms (target < 33 ms)`],
        [`${label}: re-renders`, `changed ${r.changedRenders} over ${r.churnTicks} ticks; unchanged ${r.unchangedRenders} (must be 0); view ${r.viewWhileChurning}x`],
      ];
      printTable('Topology view vs graph view (headless Chromium, software rendering)', [
        ['renderer', renderer],
        ['services / edges', `${services} / ${edgeCount} (160 on this machine, 40 in 2 Docker networks)`],
        ['graph view: first render', `${graphFirstMs} ms from navigation (page load + snapshot + layout + paint)`],
        ['topology view: switch to drawn', `${topoFirstMs} ms (network.topology + layout + paint; ${drawn.groups} groups, ${drawn.labels} address labels mounted)`],
        ...row('graph, fitted', graphFit),
        ...row('topology, fitted', topoFit),
        ...row('graph, zoom 0.9', graphZoomed),
        ...row('topology, zoom 0.9', topoZoomed),
      ]);
    }
    return result;
  } finally {
    await browser.close();
    await server.close();
  }
}

/** Entry for bench/run.mjs. */
export const run = () => runTopologyScale();

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  runTopologyScale().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
