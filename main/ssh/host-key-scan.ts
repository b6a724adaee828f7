// Asks a host for its key without logging in, for the trust flow (`harness trust HOST` shows
// the fingerprint, the user confirms, appendKnownHost writes it). The handshake is ended at the
// host-key step, so nothing is authenticated and no key of ours is offered.
import { connect as tcpConnect } from 'node:net';
import ssh2 from 'ssh2';
import { HarnessError } from '../../shared/errors.js';
import { decideHostKey, knownKeyTypes, type HostKeyDecision } from './host-key-check.js';
import { fingerprintOf, keyTypeOf, preferredHostKeyAlgorithms, publicKeyText } from './host-key.js';
import { readKnownHosts } from './known-hosts.js';

const { Client } = ssh2;

export interface ScannedHostKey {
  host: string;
  port: number;
  key: Buffer;
  keyType: string;
  fingerprint: string;
  /** `type base64`. */
  publicKey: string;
  /** What a connection would decide today. */
  decision: HostKeyDecision;
}

export async function scanHostKey(
  target: { host: string; port?: number },
  opts: { knownHostsFiles: string[]; timeoutMs?: number },
): Promise<ScannedHostKey> {
  const host = target.host;
  const port = target.port ?? 22;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const known = await readKnownHosts(opts.knownHostsFiles);
  const key = await new Promise<Buffer>((resolve, reject) => {
    const fail = (reason: string) => reject(new HarnessError('UNAVAILABLE', `Cannot read the host key of ${host} port ${port}: ${reason}`));
    const sock = tcpConnect({ host, port });
    const timer = setTimeout(() => { sock.destroy(); fail(`no answer within ${timeoutMs / 1000} s`); }, timeoutMs);
    let captured: Buffer | null = null;
    sock.once('error', (err) => { clearTimeout(timer); fail(err.message); });
    sock.once('connect', () => {
      const client = new Client();
      client.on('error', () => undefined);
      client.once('close', () => {
        clearTimeout(timer);
        sock.destroy();
        if (captured) resolve(captured); else fail('the server closed the connection before showing its key');
      });
      client.connect({
        sock,
        username: 'harness-host-key-scan',
        readyTimeout: timeoutMs,
        algorithms: { serverHostKey: preferredHostKeyAlgorithms(knownKeyTypes(known, host, port)) as never },
        hostVerifier: (k: Buffer, verify: (ok: boolean) => void) => { captured = k; verify(false); },
      });
    });
  });
  return {
    host,
    port,
    key,
    keyType: keyTypeOf(key) ?? 'unknown',
    fingerprint: fingerprintOf(key),
    publicKey: publicKeyText(key),
    decision: decideHostKey(known, host, port, key),
  };
}
