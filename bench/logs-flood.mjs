#!/usr/bin/env node
// Logs flood: 50 services writing as fast as the core accepts, 4 visible panes (the dock's split
// plus two more terminals from the same registry), through the real WebSocket server and the real
// EventSession flow control. Checks end to end that every line arrived (FNV checksum per service)
// or was reported dropped, measures click latency during the flood and heap per pane, and
// compares with @xterm/headless parsing the same corpus in Node.
import { fileURLToPath } from 'node:url';
import { launchBrowser, loadBuilt, percentile, printTable, rendererInfo } from './bench-support.mjs';
import { syntheticCore } from './bench-support.mjs';

const line = (svc, n) => `${svc} line ${n} ${'lorem ipsum dolor sit amet '.repeat(3)}`;

function fnv(hash, text) {
  let h = hash;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  h ^= 10;
  return Math.imul(h, 0x01000193) >>> 0;
}

async function headlessParse(corpus) {
  const mod = await import('@xterm/headless');
  const Terminal = mod.Terminal ?? mod.default.Terminal;
  const term = new Terminal({ scrollback: 5000, cols: 160, rows: 40, allowProposedApi: true });
  const t0 = performance.now();
  await new Promise((resolve) => {
    const chunk = 64 * 1024;
    let i = 0;
    const next = () => {
      if (i >= corpus.length) return term.write('', resolve);
      term.write(corpus.slice(i, (i += chunk)), next);
    };
    next();
  });
  const ms = performance.now() - t0;
  term.dispose();
  return ms;
}

export async function runLogsFlood({ services = 50, seconds = 5, panes = 4, print = true } = {}) {
  const { startHarnessServer, ApiDispatcher, chromium } = await loadBuilt();
  const names = Array.from({ length: services }, (_, i) => `svc-${i}`);
  const snapshotServices = names.map((name) => ({
    config: { name, target: { type: 'Process', binary: 'node', args: [], env: {}, working_dir: '/tmp', ports: [] }, dependencies: [], restart: { policy: 'no', max_retries: 0, backoff_ms: 0, max_backoff_ms: 0 }, stop_signal: 'SIGTERM', stop_grace_period_ms: 1000 },
    state: { name, type: 'Process', status: 'running', restarts: 0, updatedAt: Date.now() },
  }));
  const core = syntheticCore(ApiDispatcher, snapshotServices);
  const server = await startHarnessServer({ dispatcher: core.dispatcher });
  const browser = await launchBrowser(chromium);
  const generated = Object.fromEntries(names.map((n) => [n, { lines: 0, sum: 0x811c9dc5 }]));
  let corpusBytes = 0;
  try {
    const page = await browser.context.newPage();
    await page.goto(server.url);
    await page.locator('.service-node').first().waitFor({ timeout: 60_000 });
    const renderer = await rendererInfo(page);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('HeapProfiler.enable');
    const heap = async () => {
      await cdp.send('HeapProfiler.collectGarbage');
      return (await cdp.send('Runtime.getHeapUsage')).usedSize;
    };
    const heapBefore = await heap();

    // Four visible panes: the dock split (All + svc-0) and two more registry terminals. The fitted
    // 50-node graph shows compact nodes (no buttons): zoom to full cards at svc-0 (top-left) first.
    await page.evaluate(() => window.__harness.zoomForBench({ x: 0, y: 0, zoom: 1 }));
    await page.getByTestId('node-logs-svc-0').click();
    await page.getByTestId('log-tab-all').click();
    await page.getByTestId('log-split').click();
    await page.getByTestId('log-tab-svc-0').click();
    await page.evaluate((extra) => {
      const box = document.createElement('div');
      box.style.cssText = 'position:fixed;right:0;top:60px;width:560px;height:520px;display:flex;flex-direction:column;z-index:40';
      document.body.appendChild(box);
      for (const name of extra) {
        const host = document.createElement('div');
        host.style.cssText = 'flex:1;position:relative;border:1px solid #444';
        box.appendChild(host);
        window.__harness.terminals.get(name).attach(host);
      }
    }, names.slice(1, 1 + Math.max(0, panes - 2)));
    await page.waitForTimeout(500);

    // Clicks during the flood: latency from the input event to the next painted frame.
    await page.evaluate(() => {
      window.__clicks = [];
      document.querySelector('[data-testid="log-follow-1"]').addEventListener('click', (e) => {
        const t0 = e.timeStamp;
        requestAnimationFrame(() => setTimeout(() => window.__clicks.push(performance.now() - t0), 0));
      });
    });

    // The flood: every service writes as fast as the event loop allows, for `seconds`.
    const t0 = Date.now();
    let stop = false;
    const pump = () => {
      if (stop) return;
      const lines = [];
      for (const svc of names) {
        for (let k = 0; k < 20; k++) {
          const g = generated[svc];
          const n = ++g.lines;
          const text = line(svc, n);
          g.sum = fnv(g.sum, text);
          corpusBytes += text.length + 1;
          lines.push({ service: svc, stream: 'stdout', ts: Date.now(), line: text, n });
        }
      }
      core.emit('logs', { lines });
      setImmediate(pump);
    };
    pump();
    const clickEvery = (seconds * 1000) / 12;
    for (let i = 0; i < 10; i++) {
      await page.waitForTimeout(clickEvery);
      // Two clicks: pause and follow again, so the pane ends following.
      await page.getByTestId('log-follow-1').click({ timeout: 10_000 });
    }
    while (Date.now() - t0 < seconds * 1000) await new Promise((r) => setTimeout(r, 50));
    stop = true;
    const floodMs = Date.now() - t0;

    // Drain: wait until the page has accounted for every line (delivered or reported dropped).
    const total = names.reduce((a, n) => a + generated[n].lines, 0);
    const deadline = Date.now() + 120_000;
    let stats;
    for (;;) {
      stats = await page.evaluate(() => window.__harness.terminals.deliveryStats());
      const dropped = Object.values(stats.dropped).reduce((a, b) => a + b, 0);
      if (stats.lines + dropped >= total || Date.now() > deadline) break;
      await page.waitForTimeout(200);
    }
    const drainMs = Date.now() - t0 - floodMs;
    const clicks = await page.evaluate(() => window.__clicks);
    const heapAfter = await heap();
    const droppedTotal = Object.values(stats.dropped).reduce((a, b) => a + b, 0);
    let exact = 0;
    let accounted = 0;
    for (const n of names) {
      const got = stats.linesPerService[n] ?? 0;
      const drop = stats.dropped[n] ?? 0;
      if (drop === 0 && got === generated[n].lines && stats.checksum[n] === generated[n].sum) exact++;
      if (got + drop === generated[n].lines) accounted++;
    }
    // Same corpus through @xterm/headless in this process, for comparison.
    const corpus = names.flatMap((n) => Array.from({ length: Math.min(generated[n].lines, 2000) }, (_, i) => `${line(n, i + 1)}\r\n`)).join('');
    const headlessMs = await headlessParse(corpus);

    const result = {
      renderer,
      services,
      panes,
      linesGenerated: total,
      bytesGenerated: corpusBytes,
      linesDelivered: stats.lines,
      linesDroppedReported: droppedTotal,
      servicesExact: exact,
      servicesAccounted: accounted,
      floodMs,
      drainMs,
      browserMBps: +(stats.bytes / 1e6 / ((floodMs + drainMs) / 1000)).toFixed(2),
      headlessMBps: +(corpus.length / 1e6 / (headlessMs / 1000)).toFixed(2),
      clickP50Ms: +percentile(clicks, 50).toFixed(1),
      clickMaxMs: +Math.max(...clicks).toFixed(1),
      clicks: clicks.length,
      heapPerPaneMB: +((heapAfter - heapBefore) / panes / 1e6).toFixed(1),
    };
    if (print) {
      printTable('Logs flood (headless Chromium, software rendering)', [
        ['renderer', renderer],
        ['services / visible panes', `${services} / ${panes}`],
        ['generated', `${total} lines, ${(corpusBytes / 1e6).toFixed(1)} MB in ${floodMs} ms`],
        ['delivered to the page', `${stats.lines} lines (${(stats.bytes / 1e6).toFixed(1)} MB), drained ${drainMs} ms after the flood`],
        ['dropped, with explicit markers', `${droppedTotal} lines`],
        ['services checksum-exact', `${exact}/${services} (no drops and FNV checksum equal)`],
        ['services fully accounted', `${accounted}/${services} (delivered + reported dropped = generated; must be all)`],
        ['end-to-end throughput', `${result.browserMBps} MB/s into xterm (browser)`],
        ['@xterm/headless, same corpus', `${result.headlessMBps} MB/s parse only (Node, ${(corpus.length / 1e6).toFixed(1)} MB)`],
        ['click → next frame during flood', `p50 ${result.clickP50Ms} ms, max ${result.clickMaxMs} ms over ${clicks.length} clicks (target < 200 ms)`],
        ['JS heap per pane', `${result.heapPerPaneMB} MB (after GC, scrollback ${5000} lines)`],
      ]);
    }
    return result;
  } finally {
    await browser.close();
    await server.close();
  }
}

/** Entry for bench/run.mjs. */
export const run = () => runLogsFlood();

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  runLogsFlood().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
