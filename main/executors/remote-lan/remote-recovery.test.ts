// A supervisor SIGKILLed while its remote services run: the next `harness up -d` re-attaches to
// those whose config is unchanged (reporting what it adopted), from the log offsets the first one
// reached (no line lost or repeated), stops the one whose config changed, and `harness down` with
// no supervisor running leaves nothing on the host (no process, no directory).
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceState } from '../../../shared/service-state.js';
import { ensureBuilt, makeProject, type Project } from '../../cli/test-support/cli-harness.js';
import { createTestHosts, testHostsSkipReason, type TestHost, type TestHostSet } from '../../test-support/test-hosts/test-hosts.js';
import { waitUntil } from './test-support/remote-stack.js';

const skip = await testHostsSkipReason();

const yaml = (victimArg: string) => `
name: remote-recovery
services:
  - name: ticker
    target:
      type: RemoteLan
      host: "\${HOST0}"
      user: root
      binary: sh
      args: [-c, 'k=0; while :; do if [ -e /tmp/go$k ]; then echo "batch $k a"; echo "batch $k b" >&2; k=$((k+1)); fi; sleep 0.05; done']
  - name: victim
    target: { type: RemoteLan, host: "\${HOST0}", user: root, binary: sleep, args: ["${victimArg}"] }
`;

/** Processes in the host's namespace started for this project (found by their marker). */
async function projectProcesses(h: TestHost, projectId: string): Promise<number[]> {
  const pids = (await execa('ip', ['netns', 'pids', h.netns])).stdout.split('\n').filter(Boolean).map(Number);
  const out: number[] = [];
  for (const pid of pids) {
    const env = await execa('cat', [`/proc/${pid}/environ`], { reject: false, encoding: 'buffer' });
    if (Buffer.from(env.stdout as Uint8Array).toString('latin1').split('\0').includes(`HARNESS_PROJECT_ID=${projectId}`)) out.push(pid);
  }
  return out;
}

describe.skipIf(skip !== null)(`RemoteLan re-attach after the supervisor was SIGKILLed${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let set: TestHostSet;
  let h: TestHost;
  let p: Project;

  beforeAll(async () => {
    ensureBuilt();
    set = await createTestHosts({ hosts: 1 });
    h = set.hosts[0];
    p = await makeProject(yaml('1001'), { HOME: set.client.home, SSH_AUTH_SOCK: '', HOST0: h.address });
  }, 240_000);

  afterAll(async () => {
    await p?.cleanup();
    await set?.destroy();
  }, 120_000);

  const ps = async () => {
    const r = await p.run(['ps', '--json']);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as { supervisor: { pid: number } | null; services: ServiceState[] };
  };
  const logFile = () => {
    const root = p.env.HARNESS_STATE_DIR as string;
    return readFileSync(join(root, readdirOne(root), 'logs', 'ticker.log'), 'utf8');
  };

  it('adopts what still runs with the same config, stops what changed, and down leaves nothing', async () => {
    const up1 = await p.run(['up', '-d'], 90_000);
    expect(up1.code, up1.stdout + up1.stderr).toBe(0);
    const first = await ps();
    const ticker = first.services.find((s) => s.name === 'ticker')!;
    expect(ticker).toMatchObject({ status: 'running', remote: { host: h.address, connection: 'connected' } });
    await h.run(['touch', '/tmp/go0']);
    await waitUntil('batch 0 in the log file', () => /batch 0 b/.test(logFile()), 15_000);
    await new Promise((r) => setTimeout(r, 300));
    process.kill(first.supervisor!.pid, 'SIGKILL');
    await waitUntil('the supervisor gone', () => { try { process.kill(first.supervisor!.pid, 0); return false; } catch { return true; } });

    // While no supervisor runs, the service keeps running and writing on the host.
    await h.run(['touch', '/tmp/go1']);
    await new Promise((r) => setTimeout(r, 300));
    writeFileSync(p.file, yaml('1002'));

    const up2 = await p.run(['up', '-d'], 90_000);
    expect(up2.code, up2.stdout + up2.stderr).toBe(0);
    expect(up2.stdout).toMatch(/ticker.*adopted running instance/);
    expect(up2.stdout).toMatch(/victim: stopped the run left on root@[\d.]+:22 \(its config changed\)/);
    const second = await ps();
    expect(second.services.find((s) => s.name === 'ticker')).toMatchObject({ status: 'running', instance: ticker.instance });
    expect(second.services.find((s) => s.name === 'victim')?.instance).not.toBe(first.services.find((s) => s.name === 'victim')?.instance);
    await h.run(['touch', '/tmp/go2']);
    await waitUntil('batch 2 in the log file', () => /batch 2 b/.test(logFile()), 15_000);
    // Every batch once, across both supervisors: nothing lost at the kill, nothing repeated after.
    const text = logFile();
    for (const k of [0, 1, 2]) {
      expect(text.split(`stdout | batch ${k} a\n`).length - 1, `batch ${k} a`).toBe(1);
      expect(text.split(`stderr | batch ${k} b\n`).length - 1, `batch ${k} b`).toBe(1);
    }
    const logs = await p.run(['logs', 'ticker']);
    expect(logs.stdout).toContain('batch 1 a');
    expect(logs.stdout).not.toContain('batch 0 a');

    // Killed again; `down` with no supervisor stops the services on the host and removes its directory.
    process.kill(second.supervisor!.pid, 'SIGKILL');
    await waitUntil('the second supervisor gone', () => { try { process.kill(second.supervisor!.pid, 0); return false; } catch { return true; } });
    const projectId = readdirOne(p.env.HARNESS_STATE_DIR as string);
    expect((await projectProcesses(h, projectId)).length).toBeGreaterThanOrEqual(2);
    const down = await p.run(['down'], 90_000);
    expect(down.code, down.stdout + down.stderr).toBe(0);
    expect(down.stdout).toMatch(/ticker: stopped on root@/);
    expect(down.stdout).toMatch(/victim: stopped on root@/);
    expect(await projectProcesses(h, projectId)).toEqual([]);
    expect(await h.exists(`/root/.local/state/harness/${projectId}`)).toBe(false);
  }, 200_000);
});

/** The one project state directory under a test's state root. */
function readdirOne(root: string): string {
  return readdirSync(root).filter((n) => !n.startsWith('.'))[0];
}
