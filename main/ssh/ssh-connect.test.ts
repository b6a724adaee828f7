// Connecting to real sshd hosts (network namespaces, scripts/test-hosts.sh): host key decisions
// against known_hosts files, login in OpenSSH's order, what the host sees of this machine.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HarnessError } from '../../shared/errors.js';
import { createTestHosts, testHostsSkipReason, type TestHost, type TestHostSet } from '../test-support/test-hosts/test-hosts.js';
import { appendKnownHost } from './known-hosts-append.js';
import { scanHostKey } from './host-key-scan.js';
import { SshPool, type SshPoolOptions } from './ssh-pool.js';

const skip = await testHostsSkipReason();

let set: TestHostSet;
let h: TestHost;
let scratch = '';
const pools: SshPool[] = [];

function pool(extra: SshPoolOptions = {}): SshPool {
  // One attempt: a refusal or an unreachable port fails the call instead of retrying.
  const p = new SshPool(set.poolOptions({ reconnect: { maxAttempts: 1 }, ...extra }));
  pools.push(p);
  return p;
}

async function knownHostsFile(lines: string[]): Promise<string> {
  const file = join(scratch, `kh-${Math.random().toString(36).slice(2)}`);
  await writeFile(file, lines.map((l) => `${l}\n`).join(''));
  return file;
}

async function refusal(p: Promise<unknown>): Promise<HarnessError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(HarnessError);
  return err as HarnessError;
}

describe.skipIf(skip !== null)(`SSH connections to real sshd test hosts${skip ? ` (skipped: ${skip})` : ''}`, () => {
  beforeAll(async () => {
    set = await createTestHosts({ hosts: 1, port2: 2222 });
    h = set.hosts[0];
    scratch = await mkdtemp(join(tmpdir(), 'hx-ssh-connect-'));
  }, 60_000);

  afterAll(async () => {
    await Promise.all(pools.map((p) => p.close()));
    await set?.destroy();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  }, 60_000);

  it('connects, runs a command with stdout, stderr and exit code apart, and learns how the host sees this machine', async () => {
    const host = pool().host({ host: h.address, user: 'root' });
    const r = await host.exec(['sh', '-c', 'echo out; echo err >&2; exit 3']);
    expect(r).toMatchObject({ code: 3, signal: null, stdout: 'out\n', stderr: 'err\n' });
    const info = host.info!;
    expect(info.key).toBe(`root@${h.address}:22`);
    expect(info.seenAs?.address).toBe(set.localAddress);
    expect(info.routeSourceAddress).toBe(set.localAddress);
    expect(info.localAddress).toBe(set.localAddress);
    expect(info.hostAddress).toEqual({ address: h.address, port: 22 });
    expect(info.serverVersion).toMatch(/OpenSSH/);
    expect(h.hostKeys.map((k) => k.fingerprint)).toContain(info.hostKey.fingerprint);
    expect(info.authenticatedWith).toContain(set.client.keys.default.path);
    expect(host.state).toBe('connected');
  });

  it('refuses an unknown host, naming it with the key type and the SHA256 fingerprint OpenSSH shows', async () => {
    const file = await knownHostsFile([]);
    const err = await refusal(pool({ knownHostsFiles: [file] }).host({ host: h.address, user: 'root' }).exec(['true']));
    const ed = h.key('ssh-ed25519');
    expect(err.code).toBe('UNAUTHORIZED');
    expect(err.message).toContain(h.address);
    expect(err.message).toContain(`ED25519 key fingerprint is ${ed.fingerprint}`);
    expect(err.message).toContain(`harness trust ${h.address}`);
    expect(err.details).toMatchObject({ kind: 'host-key-unknown', host: h.address, port: 22, keyType: 'ssh-ed25519', fingerprint: ed.fingerprint, publicKey: ed.text });
    expect(await readFile(file, 'utf8')).toBe('');
  });

  it('refuses a changed key with both fingerprints, under accept-new too, and leaves known_hosts alone', async () => {
    const ed = h.key('ssh-ed25519');
    const impostor = set.client.keys.wrong.publicKey.split(' ').slice(0, 2).join(' ');
    const file = await knownHostsFile([`${h.address} ${impostor}`]);
    for (const policy of ['strict', 'accept-new'] as const) {
      const err = await refusal(pool({ knownHostsFiles: [file], hostKeyPolicy: policy }).host({ host: h.address, user: 'root' }).exec(['true']));
      expect(err.code).toBe('UNAUTHORIZED');
      expect(err.message).toMatch(/HOST KEY CHANGED/);
      expect(err.message).toContain(ed.fingerprint);
      expect(err.message).toContain(set.client.keys.wrong.fingerprint);
      expect(err.details).toMatchObject({ kind: 'host-key-changed', fingerprint: ed.fingerprint, knownFingerprints: [set.client.keys.wrong.fingerprint] });
    }
    expect(await readFile(file, 'utf8')).toBe(`${h.address} ${impostor}\n`);
  });

  it('accepts a host whose right key is on a later line than a wrong one (any matching line)', async () => {
    const impostor = set.client.keys.wrong.publicKey.split(' ').slice(0, 2).join(' ');
    const file = await knownHostsFile([`${h.address} ${impostor}`, `${h.address} ${h.key('ssh-ed25519').text}`]);
    const r = await pool({ knownHostsFiles: [file] }).host({ host: h.address, user: 'root' }).exec(['echo', 'ok']);
    expect(r.stdout).toBe('ok\n');
  });

  it('accepts a hashed entry made by ssh-keygen -H', async () => {
    const file = await knownHostsFile([`${h.address} ${h.key('ssh-ed25519').text}`]);
    await execa('ssh-keygen', ['-H', '-f', file]);
    expect(await readFile(file, 'utf8')).not.toContain(h.address);
    const r = await pool({ knownHostsFiles: [file] }).host({ host: h.address, user: 'root' }).exec(['echo', 'hashed']);
    expect(r.stdout).toBe('hashed\n');
  });

  it('uses [host]:port for the second port: that entry trusts port 2222 and not 22, a plain entry not 2222', async () => {
    const bracketed = await knownHostsFile([`[${h.address}]:2222 ${h.key('ssh-ed25519').text}`]);
    const p = pool({ knownHostsFiles: [bracketed] });
    const r = await p.host({ host: h.address, port: 2222, user: 'root' }).exec(['echo', '2222']);
    expect(r.stdout).toBe('2222\n');
    expect(p.host({ host: h.address, port: 2222, user: 'root' }).info?.hostAddress).toEqual({ address: h.address, port: 2222 });
    const on22 = await refusal(p.host({ host: h.address, port: 22, user: 'root' }).exec(['true']));
    expect(on22.details).toMatchObject({ kind: 'host-key-unknown', port: 22 });

    const plain = await knownHostsFile([`${h.address} ${h.key('ssh-ed25519').text}`]);
    const on2222 = await refusal(pool({ knownHostsFiles: [plain] }).host({ host: h.address, port: 2222, user: 'root' }).exec(['true']));
    expect(on2222.details).toMatchObject({ kind: 'host-key-unknown', port: 2222 });
    expect(on2222.message).toContain(`[${h.address}]:2222`);
    expect(on2222.message).toContain(`harness trust ${h.address} --port 2222`);
  });

  it('never accepts a key marked @revoked, even when another line holds it', async () => {
    const ed = h.key('ssh-ed25519').text;
    const file = await knownHostsFile([`${h.address} ${ed}`, `@revoked * ${ed}`]);
    const err = await refusal(pool({ knownHostsFiles: [file] }).host({ host: h.address, user: 'root' }).exec(['true']));
    expect(err.message).toMatch(/REVOKED/);
    expect(err.details).toMatchObject({ kind: 'host-key-revoked' });
  });

  it('says host certificates are not supported when only an @cert-authority line names the host', async () => {
    const ca = set.client.keys.wrong.publicKey.split(' ').slice(0, 2).join(' ');
    const file = await knownHostsFile([`@cert-authority * ${ca}`]);
    const err = await refusal(pool({ knownHostsFiles: [file] }).host({ host: h.address, user: 'root' }).exec(['true']));
    expect(err.message).toMatch(/@cert-authority/);
    expect(err.message).toMatch(/not supported/);
  });

  it('asks for the known key type first: a host known by its ECDSA key is not "unknown" for its Ed25519 one', async () => {
    const file = await knownHostsFile([`${h.address} ${h.key('ecdsa-sha2-nistp256').text}`]);
    const host = pool({ knownHostsFiles: [file] }).host({ host: h.address, user: 'root' });
    await host.exec(['true']);
    expect(host.info?.hostKey).toEqual({ type: 'ecdsa-sha2-nistp256', fingerprint: h.key('ecdsa-sha2-nistp256').fingerprint });
  });

  it('accept-new appends an unknown host ([host]:port on the second port); later strict connections accept it', async () => {
    const file = join(scratch, 'accept-new', '.ssh', 'known_hosts');
    const p = pool({ knownHostsFiles: [file], hostKeyPolicy: 'accept-new' });
    await p.host({ host: h.address, user: 'root' }).exec(['true']);
    expect(p.host({ host: h.address, user: 'root' }).info?.addedKnownHost).toBe(`${h.address} ${h.key('ssh-ed25519').text}`);
    await p.host({ host: h.address, port: 2222, user: 'root' }).exec(['true']);
    const lines = (await readFile(file, 'utf8')).trim().split('\n');
    expect(lines).toEqual([`${h.address} ${h.key('ssh-ed25519').text}`, `[${h.address}]:2222 ${h.key('ssh-ed25519').text}`]);
    const strict = pool({ knownHostsFiles: [file] });
    expect((await strict.host({ host: h.address, user: 'root' }).exec(['echo', 'again'])).stdout).toBe('again\n');
    expect((await strict.host({ host: h.address, port: 2222, user: 'root' }).exec(['echo', 'again'])).stdout).toBe('again\n');
  });

  it('accept-new from two connections at once adds the host once', async () => {
    const file = join(scratch, 'accept-new-race', 'known_hosts');
    const [a, b] = [pool({ knownHostsFiles: [file], hostKeyPolicy: 'accept-new' }), pool({ knownHostsFiles: [file], hostKeyPolicy: 'accept-new' })];
    await Promise.all([a, b].map((p) => p.host({ host: h.address, user: 'root' }).exec(['true'])));
    expect((await readFile(file, 'utf8')).trim().split('\n')).toEqual([`${h.address} ${h.key('ssh-ed25519').text}`]);
  });

  it('the trust flow: scan the key without logging in, append it, then connect strictly', async () => {
    const file = join(scratch, 'trust', 'known_hosts');
    const scanned = await scanHostKey({ host: h.address, port: 2222 }, { knownHostsFiles: [file] });
    expect(scanned.fingerprint).toBe(h.key('ssh-ed25519').fingerprint);
    expect(scanned.decision.kind).toBe('unknown');
    await appendKnownHost({ file, host: h.address, port: 2222, key: scanned.key });
    const r = await pool({ knownHostsFiles: [file] }).host({ host: h.address, port: 2222, user: 'root' }).exec(['echo', 'trusted']);
    expect(r.stdout).toBe('trusted\n');
  });

  it('a refused login names the host, port, user and every key tried or skipped, and why', async () => {
    const wrong = set.client.keys.wrong;
    const err = await refusal(pool({ defaultIdentityFiles: [join(set.client.sshDir, 'id_rsa'), set.client.keys.encrypted.path] })
      .host({ host: h.address, user: 'root', identityFile: wrong.path }).exec(['true']));
    expect(err.code).toBe('UNAUTHORIZED');
    expect(err.message).toContain(`root@${h.address} port 22`);
    expect(err.message).toContain(`${wrong.path} (ED25519 ${wrong.fingerprint}): refused`);
    expect(err.message).toMatch(/id_rsa: skipped, not present/);
    expect(err.message).toMatch(/id_ecdsa.*skipped, encrypted with a passphrase/);
    expect(err.message).toContain('The server accepts: publickey');
    expect(err.details).toMatchObject({ kind: 'auth-failed', host: h.address, port: 22, user: 'root', serverMethods: ['publickey'] });
    expect(pools.at(-1)!.hosts()[0].state).toBe('closed');
  });

  it('logs in with a configured identity_file', async () => {
    const host = pool({ defaultIdentityFiles: [] }).host({ host: h.address, user: 'root', identityFile: set.client.keys.explicit.path });
    await host.exec(['true']);
    expect(host.info?.authenticatedWith).toBe(`${set.client.keys.explicit.path} (ECDSA ${set.client.keys.explicit.fingerprint})`);
  });

  it('logs in through a real ssh-agent, trying it before identity_file and the default keys (OpenSSH order)', async () => {
    const agent = await set.client.startAgent([set.client.keys.agent]);
    try {
      const host = pool({ agentSocket: agent.socket }).host({ host: h.address, user: 'root', identityFile: set.client.keys.explicit.path });
      await host.exec(['true']);
      expect(host.info?.authenticatedWith).toBe(`ssh-agent key ED25519 ${set.client.keys.agent.fingerprint}`);
      const log = await h.sshdLog();
      expect(log).toContain(`Accepted publickey for root from ${set.localAddress}`);
      expect(log).toContain(set.client.keys.agent.fingerprint);
    } finally {
      await agent.stop();
    }
  });

  it('names agent keys that were refused, and falls through to the next method', async () => {
    const agent = await set.client.startAgent([set.client.keys.wrong]);
    try {
      const host = pool({ agentSocket: agent.socket }).host({ host: h.address, user: 'root' });
      await host.exec(['true']);
      expect(host.info?.authenticatedWith).toContain(set.client.keys.default.path);
      const failing = pool({ agentSocket: agent.socket, defaultIdentityFiles: [] }).host({ host: h.address, user: 'root' });
      const err = await refusal(failing.exec(['true']));
      expect(err.message).toContain(`ssh-agent key ED25519 ${set.client.keys.wrong.fingerprint}: refused`);
    } finally {
      await agent.stop();
    }
  });

  it('reports sshd ending the login after MaxAuthTries as a refused login naming the keys offered', async () => {
    const many = await mkdtemp(join(scratch, 'many-'));
    const keys = [];
    for (let i = 0; i < 7; i++) {
      const path = join(many, `k${i}`);
      await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path]);
      keys.push({ path, publicKey: '', fingerprint: '' });
    }
    const agent = await set.client.startAgent(keys);
    try {
      const err = await refusal(pool({ agentSocket: agent.socket, defaultIdentityFiles: [] }).host({ host: h.address, user: 'root' }).exec(['true']));
      expect(err.code).toBe('UNAUTHORIZED');
      expect(err.message).toMatch(/The server ended the login: Too many authentication failures/);
      expect(err.message.match(/ssh-agent key ED25519 SHA256:[^:]+: refused/g)?.length).toBeGreaterThanOrEqual(5);
      expect(err.details).toMatchObject({ kind: 'auth-failed' });
    } finally {
      await agent.stop();
    }
  });

  it('fails clearly when nothing listens, after the configured attempts', async () => {
    const err = await refusal(pool().host({ host: h.address, port: 2323, user: 'root' }).exec(['true']));
    expect(err.code).toBe('UNAVAILABLE');
    expect(err.message).toContain(`root@${h.address}:2323`);
    expect(err.message).toMatch(/connection refused/);
    expect(err.message).toMatch(/gave up after 1 attempts/);
  });
});
