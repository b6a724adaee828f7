// The app meets a LAN host whose SSH key is unknown: starting a RemoteLan service shows the trust
// dialog with the key's type and fingerprint (as ssh-keygen prints it); "Trust and start" appends
// exactly that key to known_hosts and starts the service, whose node then shows its host, user and
// connection state. Debian's Chromium against a real `harness serve` and a real sshd test host.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestHosts, testHostsSkipReason, type TestHostSet } from '../main/test-support/test-hosts/test-hosts.js';
import { ensureBuilt } from './fixtures/build.js';
import { CHROMIUM_SKIP, HAS_CHROMIUM, launchChromium, type BrowserHandle } from './fixtures/chromium.js';
import { serveApp, type ServedApp } from './fixtures/serve-app.js';
import { AppPage } from './pages/app-page.js';
import { ServiceNodeObject } from './pages/service-node.js';
import { TopologyViewObject } from './pages/topology-view.js';

const hostsSkip = await testHostsSkipReason();
const skip = !HAS_CHROMIUM ? CHROMIUM_SKIP : hostsSkip ? ` (skipped: ${hostsSkip})` : '';

describe.skipIf(skip !== '')(`browser: trusting an unknown SSH host${skip}`, () => {
  let set: TestHostSet;
  let served: ServedApp;
  let browser: BrowserHandle;
  let page: Page;

  beforeAll(async () => {
    ensureBuilt();
    set = await createTestHosts({ hosts: 1 });
    await writeFile(set.client.knownHosts, '');
    const h = set.hosts[0];
    served = await serveApp({
      env: { HOME: set.client.home, SSH_AUTH_SOCK: '' },
      setup: async (dir) => {
        const file = join(dir, 'services.yaml');
        await writeFile(
          file,
          `services:\n  - name: edge\n    target: { type: RemoteLan, host: "${h.address}", user: root, binary: sleep, args: ["1000"], ports: [7100] }\n` +
            `  - name: client\n    target: { type: Process, binary: sleep, args: ["1000"] }\n    dependencies: [edge]\n`,
        );
        return file;
      },
    });
    browser = await launchChromium({ width: 1024, height: 700 });
    page = await browser.context.newPage();
    await new AppPage(page).open(served.url);
    await page.getByTestId('node-edge').waitFor({ timeout: 30_000 });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    await set?.destroy();
  }, 120_000);

  it('asks with the fingerprint, trusts exactly that key, starts the service and shows its connection', async () => {
    const h = set.hosts[0];
    const node = new ServiceNodeObject(page, 'edge');
    expect(await page.getByTestId('node-host-edge').textContent()).toBe(`ssh root@${h.address}`);
    await node.start();
    const dialog = page.getByTestId('trust-dialog');
    await dialog.waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('trust-key-type').textContent()).toBe('ED25519');
    expect(await page.getByTestId('trust-fingerprint').textContent()).toBe(h.key('ssh-ed25519').fingerprint);
    await page.screenshot({ path: join(served.dir, '..', 'harness-trust-dialog.png') }).catch(() => undefined);
    await page.getByTestId('trust-confirm').click();
    await node.waitForStatus(['running'], 60_000);
    expect(await readFile(set.client.knownHosts, 'utf8')).toBe(`${h.address} ${h.key('ssh-ed25519').text}\n`);
    expect(await page.getByTestId('node-connection-edge').textContent()).toBe('connected');
    await page.screenshot({ path: join(served.dir, '..', 'harness-remote-node.png') }).catch(() => undefined);

    // The topology draws the host as its own group, connected, with the service in it and the
    // address the local dependent was given on the arrow.
    const app = new AppPage(page);
    const topo = new TopologyViewObject(page);
    await topo.open();
    const group = `lan:${h.address}`;
    await page.locator(`[data-testid="group-${group}"][data-state="connected"]`).waitFor({ timeout: 15_000 });
    expect(await topo.groupOf('edge')).toBe(group);
    expect(await topo.groupOf('client')).toBe('local');
    expect(await topo.groupHeader(group)).toMatch(/connected/);
    expect((await topo.edgeLabels()).get('edge->client')?.address).toBe(`${h.address}:7100`);
    await app.screenshot('topology-1024-remote');
    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.getByTestId('fit-view').click().catch(() => undefined);
    await page.waitForTimeout(300);
    await app.screenshot('topology-1920-remote');
    await page.setViewportSize({ width: 1024, height: 700 });
    await page.getByRole('tab', { name: 'Graph' }).click();
    await node.stop();
    await node.waitForStatus(['stopped'], 60_000);
  }, 180_000);
});
