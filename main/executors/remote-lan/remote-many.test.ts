// 50 services on one host started at once: every one runs, none meets a refused channel (sshd
// allows 10 sessions per connection and drops bursts of new connections), over at most 3 TCP
// connections, with one long-lived channel (the watch) for all of them; then all stop.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestHosts, testHostsSkipReason, type TestHost, type TestHostSet } from '../../test-support/test-hosts/test-hosts.js';
import type { SshPool } from '../../ssh/index.js';
import { remoteStack, type RemoteStack } from './test-support/remote-stack.js';

const skip = await testHostsSkipReason();
const N = 50;

describe.skipIf(skip !== null)(`${N} RemoteLan services on one host${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let set: TestHostSet;
  let h: TestHost;
  let stack: RemoteStack;

  beforeAll(async () => {
    set = await createTestHosts({ hosts: 1 });
    h = set.hosts[0];
    const services = Array.from({ length: N }, (_, i) => `
  - name: s${i}
    target: { type: RemoteLan, host: "\${HOST0}", user: root, binary: sh, args: [-c, 'echo "s${i} up"; exec sleep 100000'] }
    health_check: { type: log, pattern: "s${i} up" }`);
    stack = await remoteStack(set, `services:${services.join('')}\n`);
  }, 60_000);

  afterAll(async () => {
    await stack?.dispose();
    await set?.destroy();
  }, 60_000);

  it('starts all at once: all healthy, no refused channel, within 3 connections and one watch channel', async () => {
    const before = await h.countLog(/^Connection from /);
    const report = await stack.runtime.manager.start();
    expect(report.failed).toEqual([]);
    expect(report.ready).toHaveLength(N);
    const pool = (stack.runtime as unknown as { executors: Map<string, { sshPool: SshPool }> }).executors.get('RemoteLan')!.sshPool;
    const stats = pool.hosts()[0].stats();
    expect(stats.peakConnections).toBeLessThanOrEqual(3);
    expect(stats.peakChannels).toBeLessThanOrEqual(3 * 8);
    expect(stats.streams).toBe(1);
    expect((await h.countLog(/^Connection from /)) - before).toBeLessThanOrEqual(3);
    expect(await h.countLog(/no more sessions|refused/i)).toBe(0);
    const pids = new Set(stack.runtime.manager.states().map((s) => s.instance));
    expect(pids.size).toBe(N);
  }, 120_000);

  it('stops all of them, leaving nothing running on the host', async () => {
    await stack.runtime.manager.stop();
    expect(stack.runtime.manager.states().every((s) => s.status === 'stopped')).toBe(true);
    const left = await h.run(['sh', '-c', 'for p in /proc/[0-9]*; do tr "\\0" " " < $p/cmdline 2>/dev/null | grep -q "^sleep 100000" && echo $p; done; true']);
    expect(left.stdout).toBe('');
  }, 120_000);
});
