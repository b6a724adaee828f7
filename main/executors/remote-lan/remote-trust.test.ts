// Host keys and logins as a user meets them, through the executor and the CLI: an unknown host
// (refused with its fingerprint, reported as a hostKey event, trusted through the core exactly as
// shown, then started), a changed key (refused with both fingerprints, also under accept-new),
// hashed entries, [host]:port, @revoked, accept-new, a wrong identity; and `harness trust`.
import { readFileSync, writeFileSync } from 'node:fs';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, makeProject, runCli, type Project } from '../../cli/test-support/cli-harness.js';
import { createTestHosts, testHostsSkipReason, type TestHost, type TestHostSet } from '../../test-support/test-hosts/test-hosts.js';
import type { SshPoolOptions } from '../../ssh/index.js';
import { remoteStack, type RemoteStack } from './test-support/remote-stack.js';

const skip = await testHostsSkipReason();

const service = (extra = '') => `
services:
  - name: edge
    target: { type: RemoteLan, host: "\${HOST0}", user: root, binary: sleep, args: ["1000"] ${extra} }
`;

describe.skipIf(skip !== null)(`RemoteLan host keys and logins${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let set: TestHostSet;
  let h: TestHost;
  const stacks: RemoteStack[] = [];
  const open = async (extra = '', ssh: SshPoolOptions = {}) => {
    const s = await remoteStack(set, service(extra), { ssh });
    stacks.push(s);
    return s;
  };
  const knownHosts = (lines: string[]) => writeFileSync(set.client.knownHosts, lines.map((l) => `${l}\n`).join(''), { mode: 0o600 });
  const ed = () => h.key('ssh-ed25519');

  beforeAll(async () => {
    set = await createTestHosts({ hosts: 2, port2: 2222 });
    h = set.hosts[0];
  }, 60_000);

  afterAll(async () => {
    for (const s of stacks) await s.dispose();
    await set?.destroy();
  }, 60_000);

  it('refuses an unknown host with its fingerprint, reports the key, and starts once exactly that key is trusted', async () => {
    knownHosts([]);
    const s = await open();
    const r = await s.runtime.manager.start();
    expect(r.failed[0].reason).toContain(`The host key of ${h.address} is not known: ED25519 key fingerprint is ${ed().fingerprint}`);
    expect(r.failed[0].reason).toContain(`harness trust ${h.address}`);
    const [event] = s.hostKeyEvents();
    expect(event).toMatchObject({ host: h.address, port: 22, user: 'root', keyType: 'ssh-ed25519', fingerprint: ed().fingerprint, publicKey: ed().text, services: ['edge'] });
    // A key the core was not shown is not trusted through it.
    const fake = `SHA256:${'A'.repeat(43)}`;
    await expect(s.runtime.trustHostKey({ host: h.address, port: 22, fingerprint: fake })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const trusted = await s.runtime.trustHostKey({ host: h.address, port: 22, fingerprint: event.fingerprint });
    expect(trusted.file).toBe(set.client.knownHosts);
    expect(readFileSync(set.client.knownHosts, 'utf8')).toBe(`${h.address} ${ed().text}\n`);
    expect((await s.runtime.manager.start()).failed).toEqual([]);
    expect(s.state('edge').status).toBe('running');
    await s.runtime.manager.stop();
  });

  it('refuses a changed key with both fingerprints, also under accept-new, and reports no key to trust', async () => {
    const other = set.hosts[1].key('ssh-ed25519');
    knownHosts([`${h.address} ${other.text}`]);
    for (const policy of ['strict', 'accept-new'] as const) {
      const s = await open('', { hostKeyPolicy: policy });
      const r = await s.runtime.manager.start();
      expect(r.failed[0].reason).toContain(`HOST KEY CHANGED for ${h.address}`);
      expect(r.failed[0].reason).toContain(ed().fingerprint);
      expect(r.failed[0].reason).toContain(other.fingerprint);
      expect(s.hostKeyEvents()).toEqual([]);
    }
    expect(readFileSync(set.client.knownHosts, 'utf8')).toBe(`${h.address} ${other.text}\n`);
  });

  it('accepts a host through hashed known_hosts entries', async () => {
    knownHosts(set.knownHostsLines([h]));
    await execa('ssh-keygen', ['-H', '-f', set.client.knownHosts]);
    expect(readFileSync(set.client.knownHosts, 'utf8')).not.toContain(h.address);
    const s = await open();
    expect((await s.runtime.manager.start()).failed).toEqual([]);
    await s.runtime.manager.stop();
  });

  it('looks a non-standard port up as [host]:port, and not as the host itself', async () => {
    knownHosts([`[${h.address}]:2222 ${ed().text}`]);
    const on2222 = await open(', port: 2222');
    expect((await on2222.runtime.manager.start()).failed).toEqual([]);
    expect(on2222.state('edge').remote).toMatchObject({ port: 2222, connection: 'connected' });
    await on2222.runtime.manager.stop();
    const on22 = await open();
    expect((await on22.runtime.manager.start()).failed[0].reason).toMatch(/is not known/);
  });

  it('never accepts a key marked @revoked, even when a plain line holds it too', async () => {
    knownHosts([`@revoked ${h.address} ${ed().text}`, `${h.address} ${ed().text}`]);
    for (const policy of ['strict', 'accept-new'] as const) {
      const s = await open('', { hostKeyPolicy: policy });
      expect((await s.runtime.manager.start()).failed[0].reason).toMatch(new RegExp(`The host key of ${h.address.replace(/\./g, '\\.')} is REVOKED`));
    }
  });

  it('accept-new appends a host seen for the first time and starts', async () => {
    knownHosts([]);
    const s = await open('', { hostKeyPolicy: 'accept-new' });
    expect((await s.runtime.manager.start()).failed).toEqual([]);
    expect(readFileSync(set.client.knownHosts, 'utf8')).toMatch(new RegExp(`^${h.address.replace(/\./g, '\\.')} ssh-ed25519 `));
    expect(s.lines('edge', 'system')).toContain(`Permanently added ${h.address} ssh-ed25519 to ${set.client.knownHosts} (accept-new)`);
    await s.runtime.manager.stop();
  });

  it('names the host, the user and every key tried when the login is refused (wrong identity_file), and logs in with a right one', async () => {
    knownHosts(set.knownHostsLines());
    const s = await open(`, identity_file: "${set.client.keys.wrong.path}"`, { defaultIdentityFiles: [] });
    const reason = (await s.runtime.manager.start()).failed[0].reason;
    expect(reason).toContain(`SSH login refused for root@${h.address} port 22`);
    expect(reason).toContain(set.client.keys.wrong.path);
    expect(reason).toContain(set.client.keys.wrong.fingerprint);
    // The same with a key the host accepts, and no default identities at all: it logs in.
    const good = await open(`, identity_file: "${set.client.keys.explicit.path}"`, { defaultIdentityFiles: [] });
    expect((await good.runtime.manager.start()).failed).toEqual([]);
    await good.runtime.manager.stop();
  });

  describe('harness trust and --accept-new-hosts (the built CLI)', () => {
    let p: Project;
    const cli = (args: string[]) => runCli(args, { cwd: p.dir, env: p.env, timeoutMs: 60_000 });

    beforeAll(async () => {
      ensureBuilt();
      p = await makeProject(service(), { HOME: set.client.home, SSH_AUTH_SOCK: '', HOST0: h.address });
    }, 240_000);

    afterAll(async () => { await p?.cleanup(); }, 120_000);

    it('shows the fingerprint, refuses to ask without a terminal, and adds the key with --yes', async () => {
      knownHosts([]);
      const noTty = await cli(['trust', h.address]);
      expect(noTty.code).toBe(2);
      expect(noTty.stdout).toContain(`ED25519 key fingerprint is ${ed().fingerprint}.`);
      expect(noTty.stderr).toContain('--yes');
      expect(readFileSync(set.client.knownHosts, 'utf8')).toBe('');
      const yes = await cli(['trust', h.address, '--yes', '--user', 'root']);
      expect(yes.code, yes.stderr).toBe(0);
      expect(yes.stdout).toContain(`Added to ${set.client.knownHosts}`);
      expect(yes.stdout).toContain(`root@${h.address}: login works`);
      expect(readFileSync(set.client.knownHosts, 'utf8')).toBe(`${h.address} ${ed().text}\n`);
      const again = await cli(['trust', h.address]);
      expect(again.code).toBe(0);
      expect(again.stdout).toContain('already trusted');
      const port2 = await cli(['trust', h.address, '--port', '2222', '--yes']);
      expect(port2.code, port2.stderr).toBe(0);
      expect(readFileSync(set.client.knownHosts, 'utf8')).toContain(`[${h.address}]:2222 ssh-ed25519 `);
    });

    it('refuses a changed key with both fingerprints, whatever --yes says', async () => {
      const other = set.hosts[1].key('ssh-ed25519');
      knownHosts([`${h.address} ${other.text}`]);
      const r = await cli(['trust', h.address, '--yes']);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('HOST KEY CHANGED');
      expect(r.stderr).toContain(other.fingerprint);
      expect(r.stderr).toContain(ed().fingerprint);
      expect(readFileSync(set.client.knownHosts, 'utf8')).toBe(`${h.address} ${other.text}\n`);
    });

    it('up -d --accept-new-hosts starts on an unknown host; ps shows the host and its connection', async () => {
      knownHosts([]);
      const refused = await cli(['up', '-d']);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('is not known');
      await cli(['down']);
      const up = await cli(['up', '-d', '--accept-new-hosts']);
      expect(up.code, up.stdout + up.stderr).toBe(0);
      const ps = await cli(['ps']);
      expect(ps.stdout).toMatch(/HOST/);
      expect(ps.stdout).toContain(`root@${h.address}:22 (connected)`);
      const json = JSON.parse((await cli(['ps', '--json'])).stdout) as { services: Array<{ remote?: { connection: string; host: string } }> };
      expect(json.services[0].remote).toMatchObject({ host: h.address, connection: 'connected' });
      expect((await cli(['down'])).code).toBe(0);
      const stopped = await cli(['ps']);
      expect(stopped.stdout).toContain(`root@${h.address}:22`);
    }, 120_000);
  });
});

