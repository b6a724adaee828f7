// ssh2's `hostVerifier` for one connection attempt. ssh2 accepts any host key unless told
// otherwise; this one reads known_hosts afresh on every handshake, decides, appends under
// accept-new, and keeps its decision so a refused handshake becomes our error, not ssh2's
// "Host denied (verification failed)".
import type { HarnessError } from '../../shared/errors.js';
import { decideHostKey, hostKeyError, type HostKeyDecision, type HostKeyPolicy } from './host-key-check.js';
import { appendKnownHostLine, serializedOnFile } from './known-hosts-append.js';
import { readKnownHosts } from './known-hosts.js';

export interface KnownHostsConfig {
  /** The user's files (default ~/.ssh/known_hosts, ~/.ssh/known_hosts2); accept-new appends to the first. */
  userFiles: string[];
  /** System-wide files (default /etc/ssh/ssh_known_hosts, /etc/ssh/ssh_known_hosts2); read only. */
  globalFiles: string[];
  policy: HostKeyPolicy;
  /** Hash names that accept-new appends (OpenSSH HashKnownHosts). Default false. */
  hashNewEntries?: boolean;
}

export interface HostVerification {
  presented: Buffer | null;
  decision: HostKeyDecision | null;
  /** Set when the key was refused (or known_hosts could not be updated under accept-new). */
  error: HarnessError | null;
  /** The line accept-new appended, if it did. */
  appended: string | null;
}

export function makeHostVerifier(host: string, port: number, cfg: KnownHostsConfig) {
  const result: HostVerification = { presented: null, decision: null, error: null, appended: null };
  const files = [...cfg.userFiles, ...cfg.globalFiles];

  async function decide(key: Buffer): Promise<boolean> {
    result.presented = key;
    const decision = decideHostKey(await readKnownHosts(files), host, port, key);
    result.decision = decision;
    if (decision.kind === 'trusted') return true;
    const newHost = decision.kind === 'unknown' && decision.otherTypes.length === 0;
    if (cfg.policy === 'accept-new' && newHost && cfg.userFiles.length > 0) {
      const file = cfg.userFiles[0];
      // Re-decide under the file's lock: a parallel connection may have just added it.
      return serializedOnFile(file, async () => {
        const again = decideHostKey(await readKnownHosts(files), host, port, key);
        if (again.kind === 'trusted') return true;
        if (again.kind !== 'unknown') {
          result.decision = again;
          result.error = hostKeyError(again, { host, port, key, files, policy: cfg.policy });
          return false;
        }
        result.appended = await appendKnownHostLine({ file, host, port, key, hash: cfg.hashNewEntries });
        return true;
      });
    }
    result.error = hostKeyError(decision, { host, port, key, files, policy: cfg.policy });
    return false;
  }

  const verify = (key: Buffer, done: (ok: boolean) => void): void => {
    decide(key).then(done, (err: Error) => {
      result.error = hostKeyError(
        { kind: 'unknown', otherTypes: [], certAuthorities: [] },
        { host, port, key, files, policy: cfg.policy },
      );
      result.error.message = `${result.error.message} (known_hosts could not be used: ${err.message})`;
      done(false);
    });
  };
  return { verify, result };
}
