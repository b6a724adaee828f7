// A host that stops answering while its services run: the link cut (veth down: packets dropped)
// and sshd killed. The services are marked unknown with the reason, they keep running on the host,
// and once the host answers again they are back (pid and start time checked there) with their logs
// complete: every line once, none lost. Keepalive is shortened here (1 s × 2) so the test is quick;
// the default bound (5 s × 3 = 15 s) is measured by bench/remote-lan.mjs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestHosts, testHostsSkipReason, type TestHost, type TestHostSet } from '../../test-support/test-hosts/test-hosts.js';
import { remoteStack, type RemoteStack } from './test-support/remote-stack.js';

const skip = await testHostsSkipReason();

const STACK = `
services:
  - name: counter
    target:
      type: RemoteLan
      host: "\${HOST0}"
      user: root
      binary: sh
      args: [-c, 'i=0; while :; do echo "n $i"; echo "e $i" >&2; i=$((i+1)); sleep 0.05; done']
`;

/** The numbers of `prefix N` lines, which must be 0, 1, 2, … with nothing missing or repeated. */
function sequence(lines: string[], prefix: string): number[] {
  return lines.filter((l) => l.startsWith(`${prefix} `)).map((l) => Number(l.slice(prefix.length + 1)));
}

function expectContiguous(nums: number[]): void {
  expect(nums.length).toBeGreaterThan(10);
  const bad = nums.findIndex((n, i) => n !== i);
  expect(bad, `first break at index ${bad}: ${nums.slice(Math.max(0, bad - 2), bad + 3).join(',')}`).toBe(-1);
}

describe.skipIf(skip !== null)(`RemoteLan when the host stops answering${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let set: TestHostSet;
  let h: TestHost;
  let stack: RemoteStack;

  beforeAll(async () => {
    set = await createTestHosts({ hosts: 1 });
    h = set.hosts[0];
    stack = await remoteStack(set, STACK, {
      ssh: { keepaliveIntervalMs: 1000, keepaliveCountMax: 2, reconnect: { initialDelayMs: 100, maxDelayMs: 500 }, connectTimeoutMs: 2000 },
    });
    await stack.runtime.manager.start();
  }, 60_000);

  afterAll(async () => {
    await h?.restoreLink().catch(() => undefined);
    await stack?.dispose();
    await set?.destroy();
  }, 60_000);

  it('marks the service unknown when the link is cut, and brings it back with every line once when it returns', async () => {
    const pid = stack.state('counter').instance;
    await stack.waitFor('some output', () => sequence(stack.lines('counter', 'stdout'), 'n').length > 5);
    await h.cutLink();
    const unknown = await stack.waitStatus('counter', 'unknown', 20_000);
    expect(unknown.error).toMatch(/no answer to keepalives/);
    expect(unknown.remote?.connection).toMatch(/lost|reconnecting|connecting/);
    expect(stack.lines('counter', 'system')).toContain(`status unknown: ${unknown.error}`);
    // It keeps running on the host meanwhile (the host's own view, through its namespace).
    await new Promise((r) => setTimeout(r, 1000));
    expect((await h.run(['kill', '-0', String(pid)])).exitCode).toBe(0);
    const seenWhileCut = sequence(stack.lines('counter', 'stdout'), 'n').length;
    await h.restoreLink();
    const back = await stack.waitStatus('counter', 'running', 30_000);
    expect(back.instance).toBe(pid);
    expect(back.remote?.connection).toBe('connected');
    expect(back.error).toBeUndefined();
    // What it printed while cut off arrives, then more.
    // Both streams: each is its own file on the host, followed on its own.
    await stack.waitFor('the lines from the cut', () => Math.min(sequence(stack.lines('counter', 'stdout'), 'n').length, sequence(stack.lines('counter', 'stderr'), 'e').length) > seenWhileCut + 40);
    expectContiguous(sequence(stack.lines('counter', 'stdout'), 'n'));
    expectContiguous(sequence(stack.lines('counter', 'stderr'), 'e'));
  }, 90_000);

  it('survives sshd being killed and restarted: unknown meanwhile, then running with its logs complete', async () => {
    const pid = stack.state('counter').instance;
    await h.stopSshd({ kill: true });
    const unknown = await stack.waitStatus('counter', 'unknown', 20_000);
    expect(unknown.error).toBeTruthy();
    await new Promise((r) => setTimeout(r, 500));
    expect((await h.run(['kill', '-0', String(pid)])).exitCode).toBe(0);
    const before = sequence(stack.lines('counter', 'stdout'), 'n').length;
    await h.startSshd();
    await stack.waitStatus('counter', 'running', 30_000);
    expect(stack.state('counter').instance).toBe(pid);
    await stack.waitFor('more lines', () => Math.min(sequence(stack.lines('counter', 'stdout'), 'n').length, sequence(stack.lines('counter', 'stderr'), 'e').length) > before + 40);
    expectContiguous(sequence(stack.lines('counter', 'stdout'), 'n'));
    expectContiguous(sequence(stack.lines('counter', 'stderr'), 'e'));
  }, 90_000);
});
