// A Wireguard package deployed from the app, over a real wireguard-go tunnel to an SSH test host:
// the node card shows the transfer as a bar while the package is sent, the service turns healthy,
// and the topology draws the peer as its own group with the address the local dependent was given
// on the arrow. Debian's Chromium against a real `harness serve`; screenshots at 1024x700 and
// 1920x1080.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bigPackage } from '../main/executors/wireguard/test-support/packages.js';
import { createTestHosts, type TestHostSet } from '../main/test-support/test-hosts/test-hosts.js';
import { createTestTunnel, wireguardSkipReason, type TestTunnel } from '../main/test-support/test-wireguard/test-wireguard.js';
import { CHROMIUM_SKIP, HAS_CHROMIUM } from './fixtures/chromium.js';
import { openApp, type OpenedApp } from './fixtures/open-app.js';
import type { AppPage } from './pages/app-page.js';
import { ServiceNodeObject } from './pages/service-node.js';
import { TopologyViewObject } from './pages/topology-view.js';

const wgSkip = await wireguardSkipReason();
const skip = !HAS_CHROMIUM ? CHROMIUM_SKIP : wgSkip ? ` (skipped: ${wgSkip})` : '';
const PORT = 18091;

describe.skipIf(skip !== '')(`browser: a Wireguard package deployed from the app${skip}`, () => {
  let set: TestHostSet;
  let tunnel: TestTunnel;
  let pkgDir: string;
  let opened: OpenedApp | undefined;
  let page: Page;
  let app: AppPage;
  let peer: string;

  beforeAll(async () => {
    set = await createTestHosts({ hosts: 1 });
    tunnel = await createTestTunnel(set);
    peer = tunnel.peer(0).address;
    pkgDir = await mkdtemp(join(tmpdir(), 'hx-e2e-wg-'));
    // Large enough that the transfer over the tunnel lasts a few seconds: the bar can be seen.
    const pkg = await bigPackage(pkgDir, 'v1', 96 * 1024 * 1024);
    opened = await openApp({
      size: { width: 1024, height: 700 },
      serve: {
        env: { HOME: set.client.home, SSH_AUTH_SOCK: '' },
        setup: async (dir) => {
          const file = join(dir, 'services.yaml');
          await writeFile(
            file,
            `services:\n  - name: api\n    target: { type: Wireguard, host: "${peer}", user: root, package: "${pkg}", ports: [${PORT}], env: { PORT: "${PORT}" } }\n` +
              `    health_check: { type: http, url: "http://127.0.0.1:${PORT}/", interval: 200ms, start_period: 30s }\n` +
              `  - name: client\n    target: { type: Process, binary: sleep, args: ["1000"] }\n    dependencies: [api]\n`,
          );
          return file;
        },
      },
    });
    ({ page, app } = opened);
  }, 240_000);

  afterAll(async () => {
    await opened?.close();
    await tunnel?.destroy();
    await set?.destroy();
    if (pkgDir) await rm(pkgDir, { recursive: true, force: true });
  }, 120_000);

  it('shows the transfer as a bar on the node, then the service healthy, and the peer in the topology', async () => {
    const node = new ServiceNodeObject(page, 'api');
    await node.start();
    const bar = page.getByTestId('node-api').getByRole('progressbar', { name: 'package transfer' });
    await bar.waitFor({ timeout: 60_000 });
    // Some of it sent: the bar has moved.
    for (let i = 0; i < 300 && Number((await bar.getAttribute('aria-valuenow').catch(() => null)) ?? 0) === 0; i++) await page.waitForTimeout(100);
    expect(Number(await bar.getAttribute('aria-valuenow'))).toBeGreaterThan(0);
    await app.screenshot('wireguard-1024-transfer');
    await node.waitForStatus(['healthy'], 120_000);
    // The bar goes once the transfer is done.
    expect(await bar.count()).toBe(0);

    const topo = new TopologyViewObject(page);
    await topo.open();
    const group = `wireguard:${peer}`;
    await page.getByTestId(`group-${group}`).waitFor({ timeout: 15_000 });
    expect(await topo.groupOf('api')).toBe(group);
    expect(await topo.groupOf('client')).toBe('local');
    expect(await topo.groupHeader(group)).toMatch(new RegExp(`wireguard peer ${peer.replace(/\./g, '\\.')} connected · via \\S+ · handshake`, 'i'));
    expect((await topo.edgeLabels()).get('api->client')?.address).toBe(`${peer}:${PORT}`);
    await app.screenshot('topology-1024-wireguard');
    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.getByTestId('fit-view').click();
    await page.waitForTimeout(300);
    await app.screenshot('topology-1920-wireguard');
    await page.setViewportSize({ width: 1024, height: 700 });
    await page.getByRole('tab', { name: 'Graph' }).click();
    await node.stop();
    await node.waitForStatus(['stopped'], 60_000);
  }, 240_000);
});
