// Adding a trusted host key to the user's known_hosts, as `ssh` does on "yes" or under
// accept-new: ~/.ssh created 0700, the file created 0600, `[host]:port` for a port other than 22.
import { mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { keyTypeOf } from './host-key.js';
import { hashKnownHostsName, knownHostsName } from './host-patterns.js';

export interface AppendKnownHostOptions {
  file: string;
  host: string;
  port: number;
  /** The host key blob (as received, or decoded from `type base64`). */
  key: Buffer;
  /** Write the name hashed (`|1|salt|hash`), as OpenSSH's HashKnownHosts does. Default false. */
  hash?: boolean;
  comment?: string;
}

// Appends within this process are serialized per file, so two connections accepting the same new
// host at once cannot interleave their writes.
const chains = new Map<string, Promise<unknown>>();

export function serializedOnFile<T>(file: string, task: () => Promise<T>): Promise<T> {
  const prev = chains.get(file) ?? Promise.resolve();
  const next = prev.then(task, task);
  const settled = next.then(() => undefined, () => undefined);
  chains.set(file, settled);
  void settled.then(() => { if (chains.get(file) === settled) chains.delete(file); });
  return next;
}

/** Appends one line and returns it. Unlocked: use within serializedOnFile when racing is possible. */
export async function appendKnownHostLine(opts: AppendKnownHostOptions): Promise<string> {
  const type = keyTypeOf(opts.key);
  if (type === null) throw new Error('not an SSH public key blob');
  const name = knownHostsName(opts.host, opts.port);
  const hostField = opts.hash ? hashKnownHostsName(name) : name;
  const comment = opts.comment ? ` ${opts.comment.replace(/[\r\n]/g, ' ')}` : '';
  const line = `${hostField} ${type} ${opts.key.toString('base64')}${comment}`;
  await mkdir(dirname(opts.file), { recursive: true, mode: 0o700 });
  const fh = await open(opts.file, 'a+', 0o600);
  try {
    // A file whose last line lacks its newline would otherwise swallow ours.
    const { size } = await fh.stat();
    let prefix = '';
    if (size > 0) {
      const last = Buffer.alloc(1);
      await fh.read(last, 0, 1, size - 1);
      if (last[0] !== 0x0a) prefix = '\n';
    }
    await fh.appendFile(`${prefix}${line}\n`);
  } finally {
    await fh.close();
  }
  return line;
}

/** Appends the key for host:port to known_hosts (the trust flow of the CLI and the app). */
export function appendKnownHost(opts: AppendKnownHostOptions): Promise<string> {
  return serializedOnFile(opts.file, () => appendKnownHostLine(opts));
}
