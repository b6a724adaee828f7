// RemoteLan services on a real sshd test host, through the whole core: start, logs (history, live,
// stderr apart), an exit on its own, stop with the configured signal (grandchildren gone), the run
// directory's modes, environment values that never travel on a command line, and the errors a
// user can cause (working_dir, binary).
import { existsSync } from 'node:fs';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestHosts, testHostsSkipReason, type TestHost, type TestHostSet } from '../../test-support/test-hosts/test-hosts.js';
import { remoteStack, waitUntil, type RemoteStack } from './test-support/remote-stack.js';

const skip = await testHostsSkipReason();

/** Live processes in the host's network namespace whose command line starts with `text`. */
async function hostProcesses(h: TestHost, text: string): Promise<string[]> {
  const pids = (await execa('ip', ['netns', 'pids', h.netns])).stdout.split('\n').filter(Boolean).map(Number);
  const out: string[] = [];
  for (const pid of pids) {
    const state = await execa('sh', ['-c', `sed -n 's/^State:\\s*//p' /proc/${pid}/status`], { reject: false });
    if (state.stdout.startsWith('Z')) continue;
    const cmd = await execa('cat', [`/proc/${pid}/cmdline`], { reject: false, encoding: 'buffer' });
    const line = Buffer.from(cmd.stdout as Uint8Array).toString('utf8').replace(/\0/g, ' ');
    if (line.startsWith(text)) out.push(`${pid} ${line.slice(0, 80)}`);
  }
  return out;
}

const STACK = `
name: remote-lifecycle
services:
  - name: talker
    target:
      type: RemoteLan
      host: \${HOST0}
      user: root
      binary: sh
      args:
        - -c
        - |
          echo "out one"; echo "err one" >&2
          echo "secret is $SECRET"
          while [ ! -e /tmp/hx-more ]; do sleep 0.05; done
          echo "out two"; echo "err two" >&2
          trap 'echo "got INT"; exit 0' INT
          sleep 1000 & sleep 1001 & wait
      env: { SECRET: "s3cr3t value; $(not run)" }
      working_dir: /tmp
    stop_signal: SIGINT
    stop_grace_period: 5s
  - name: quitter
    target: { type: RemoteLan, host: "\${HOST0}", user: root, binary: sh, args: [-c, "echo bye; exit 3"] }
  - name: stubborn
    target: { type: RemoteLan, host: "\${HOST0}", user: root, binary: sh, args: [-c, "trap '' TERM; echo ready; while :; do sleep 0.1; done"] }
    stop_grace_period: 500ms
  - name: lost-dir
    target: { type: RemoteLan, host: "\${HOST0}", user: root, binary: sh, working_dir: /nonexistent/dir }
  - name: no-binary
    target: { type: RemoteLan, host: "\${HOST0}", user: root, binary: hx-no-such-program }
  - name: porter
    target: { type: RemoteLan, host: "\${HOST0}", user: root, binary: sleep, args: ["1000"], ports: [18555] }
  - name: checked
    target: { type: RemoteLan, host: "\${HOST0}", user: root, binary: tail, args: [-f, /dev/null], env: { MARK: "from the env file" }, working_dir: /tmp }
    # Runs on the host, in the service's environment and working directory.
    health_check: { type: command, command: [sh, -c, 'test "$MARK" = "from the env file" && test "$(pwd)" = /tmp && test -e hx-checked-ok'], interval: 100ms, start_period: 20s }
`;

describe.skipIf(skip !== null)(`RemoteLan lifecycle on a real sshd host${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let set: TestHostSet;
  let stack: RemoteStack;
  let h: TestHost;

  beforeAll(async () => {
    set = await createTestHosts({ hosts: 1 });
    h = set.hosts[0];
    stack = await remoteStack(set, STACK);
  }, 60_000);

  afterAll(async () => {
    await stack?.dispose();
    await set?.destroy();
  }, 60_000);

  it('starts a service on the host with its env and working_dir; logs arrive live, stdout and stderr apart', async () => {
    const report = await stack.runtime.manager.start(['talker']);
    expect(report.failed).toEqual([]);
    const st = stack.state('talker');
    expect(st).toMatchObject({ status: 'running', remote: { host: h.address, user: 'root', port: 22, connection: 'connected' } });
    await stack.waitFor('the first lines', () => stack.lines('talker', 'stdout').includes('secret is s3cr3t value; $(not run)'));
    expect(stack.lines('talker', 'stdout')).toEqual(['out one', 'secret is s3cr3t value; $(not run)']);
    expect(stack.lines('talker', 'stderr')).toEqual(['err one']);
    expect(stack.lines('talker', 'system')[0]).toMatch(new RegExp(`^started pid \\d+ on root@${h.address.replace(/\./g, '\\.')}:22: sh -c`));
    // Followed live: printed only after this point.
    await h.run(['touch', '/tmp/hx-more']);
    await stack.waitFor('the later lines', () => stack.lines('talker', 'stderr').includes('err two'));
    expect(stack.lines('talker', 'stdout')).toEqual(['out one', 'secret is s3cr3t value; $(not run)', 'out two']);
    // Its working directory and processes are on the host.
    const pid = Number(st.instance);
    expect((await h.run(['readlink', `/proc/${pid}/cwd`])).stdout.trim()).toBe('/tmp');
  });

  it('keeps the env file 0600 in a 0700 run directory on the host only, and no value on a command line', async () => {
    const root = `/root/.local/state/harness/${stack.stateDir.split('/').pop()}`;
    expect(await h.mode(root)).toBe('700');
    expect(await h.mode(`${root}/talker`)).toBe('700');
    expect(await h.mode(`${root}/talker/env`)).toBe('600');
    expect((await h.readFile(`${root}/talker/env`)).toString()).toContain("export SECRET='s3cr3t value; $(not run)'");
    expect(existsSync(`${root}/talker/env`)).toBe(false);
    // No process on the host (nor here) carries the value in its arguments.
    expect(await hostProcesses(h, 's3cr3t')).toEqual([]);
    const environ = await h.run(['sh', '-c', `tr '\\0' '\\n' < /proc/${stack.state('talker').instance}/environ`]);
    expect(environ.stdout).toContain('SECRET=s3cr3t value; $(not run)\n');
    expect(environ.stdout).toContain(`HARNESS_PROJECT_ID=${stack.stateDir.split('/').pop()}\n`);
    expect(environ.stdout).toContain('HARNESS_SERVICE=talker\n');
    expect(environ.stdout).toContain(`HARNESS_REMOTE=root@${h.address}:22\n`);
  });

  it('runs a command health check on the host, in the service environment and working directory', async () => {
    try {
      await stack.runtime.manager.start(['checked']);
      // Not healthy until the file the check looks for exists in its working directory there.
      await new Promise((r) => setTimeout(r, 500));
      expect(stack.state('checked').status).not.toBe('healthy');
      await h.run(['touch', '/tmp/hx-checked-ok']);
      await stack.waitStatus('checked', 'healthy', 15_000);
    } finally {
      await stack.runtime.manager.stop(['checked']);
    }
  });

  it('stops with the configured signal; the exit is recorded and no grandchild is left', async () => {
    expect((await hostProcesses(h, 'sleep 100')).length).toBe(2);
    await stack.runtime.manager.stop(['talker']);
    const st = stack.state('talker');
    expect(st).toMatchObject({ status: 'stopped', exitCode: 0 });
    expect(st.remote).toBeUndefined();
    await stack.waitFor('the INT line', () => stack.lines('talker', 'stdout').includes('got INT'));
    expect(await hostProcesses(h, 'sleep 100')).toEqual([]);
  });

  it('escalates to SIGKILL after the grace period when the stop signal is ignored', async () => {
    await stack.runtime.manager.start(['stubborn']);
    await stack.waitFor('ready', () => stack.lines('stubborn', 'stdout').includes('ready'));
    await stack.runtime.manager.stop(['stubborn']);
    expect(stack.state('stubborn')).toMatchObject({ status: 'stopped', signal: 'SIGKILL' });
    expect(await hostProcesses(h, 'sh -c trap')).toEqual([]);
  });

  it('notices an exit on its own and records the code', async () => {
    await stack.runtime.manager.start(['quitter']);
    const st = await stack.waitStatus('quitter', 'exited');
    expect(st).toMatchObject({ status: 'exited', exitCode: 3 });
    expect(stack.lines('quitter', 'stdout')).toEqual(['bye']);
  });

  it('refuses a missing working_dir or binary with the host and the field named', async () => {
    const r1 = await stack.runtime.manager.start(['lost-dir']);
    expect(r1.failed[0].reason).toMatch(new RegExp(`lost-dir on root@${h.address.replace(/\./g, '\\.')}:22: working_dir "/nonexistent/dir" does not exist there`));
    expect(r1.failed[0].reason).toContain(stack.config.file);
    const r2 = await stack.runtime.manager.start(['no-binary']);
    expect(r2.failed[0].reason).toMatch(/binary "hx-no-such-program" not found or not executable there/);
  });

  it('refuses to start when a declared port is already in use on the host, naming it', async () => {
    await h.run(['sh', '-c', 'setsid busybox httpd -f -p 0.0.0.0:18555 -h /tmp < /dev/null > /dev/null 2>&1 &']);
    try {
      await waitUntil('the blocker listening', async () => (await h.run(['sh', '-c', 'grep -qi ":487B " /proc/net/tcp'])).exitCode === 0);
      const r = await stack.runtime.manager.start(['porter']);
      expect(r.failed[0].reason).toContain(`porter: cannot start on root@${h.address}:22: port 18555 is already in use there`);
    } finally {
      await h.run(['sh', '-c', "pkill -f '[b]usybox httpd -f -p 0.0.0.0:18555'; true"]);
    }
  });

  it('holds one watch channel for the host however many services run', async () => {
    await waitUntil(`nothing running (${JSON.stringify(stack.runtime.manager.states().map((s) => [s.name, s.status]))})`, () => stack.runtime.manager.states().every((s) => s.status !== 'running'));
    await stack.runtime.manager.start(['talker', 'stubborn']);
    const host = [...(stack.runtime as unknown as { executors: Map<string, { sshPool: { hosts(): Array<{ stats(): { streams: number; connections: number } }> } }> }).executors.get('RemoteLan')!.sshPool.hosts()][0];
    expect(host.stats().streams).toBe(1);
    expect(host.stats().connections).toBe(1);
    await stack.runtime.manager.stop(['talker', 'stubborn']);
  });
});
