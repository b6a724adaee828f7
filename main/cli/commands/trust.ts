// `harness trust HOST [--port N] [--user U] [--yes]`: reads the host's key without logging in,
// shows its type and SHA256 fingerprint as OpenSSH prints them, and after the user confirms (or
// with --yes) appends it to ~/.ssh/known_hosts, as `ssh` does on "yes". A key that differs from a
// known one is refused with both fingerprints, whatever the flags. With --user it then checks that
// the user can log in with the keys Harness would use.
import { createInterface } from 'node:readline/promises';
import { HarnessError } from '../../../shared/errors.js';
import { appendKnownHost, displayKeyType, knownHostsName, scanHostKey, SshPool } from '../../ssh/index.js';
import { flagBool, flagInt, flagString, parseArgs, printHelp, UsageError, type CommandSpec } from '../args.js';
import { EXIT } from '../errors.js';

export const trustSpec: CommandSpec = {
  name: 'trust',
  usage: 'harness trust HOST [--port N] [--user U] [--yes]',
  summary: 'Show a host\'s SSH key fingerprint and, once you confirm it, add the key to ~/.ssh/known_hosts.',
  flags: [
    { name: 'port', short: 'p', value: true, placeholder: 'N', description: 'SSH port (default 22)' },
    { name: 'user', short: 'u', value: true, placeholder: 'U', description: 'then check that U can log in with the keys Harness uses' },
    { name: 'yes', short: 'y', description: 'do not ask (for scripts): trust the key shown' },
  ],
  details: `Compare the fingerprint with the host's own before you confirm (on the host:
ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub). A changed key is never replaced: remove the
old line first (ssh-keygen -R HOST, or '[HOST]:PORT'). For scripts, \`harness up --accept-new-hosts\`
trusts keys seen for the first time as OpenSSH's accept-new does.

Exit status: 0 trusted (or already trusted), 1 refused or not confirmed, 2 usage.`,
};

const SAFE_HOST = /^[^\s-][^\s]*$/;

export async function trustCommand(argv: string[]): Promise<number> {
  const args = parseArgs(trustSpec, argv);
  if (args.flags.has('help')) return printHelp(trustSpec);
  const [host, ...extra] = args.positionals;
  if (!host) throw new UsageError('which host? `harness trust HOST [--port N]`', 'trust');
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`, 'trust');
  // eslint-disable-next-line no-control-regex
  if (!SAFE_HOST.test(host) || /[\x00-\x1f\x7f]/.test(host)) throw new UsageError(`host ${JSON.stringify(host)} begins with '-' or holds whitespace`, 'trust');
  const port = flagInt(args, 'port', 22, trustSpec);
  if (port < 1 || port > 65535) throw new UsageError(`--port must be 1-65535, got ${port}`, 'trust');
  const user = flagString(args, 'user');
  const pool = new SshPool();
  try {
    const target = pool.knownHostsTarget();
    const scanned = await scanHostKey({ host, port }, { knownHostsFiles: pool.knownHostsFiles() });
    const where = port === 22 ? host : `${host} port ${port}`;
    const shown = `${displayKeyType(scanned.keyType)} key fingerprint is ${scanned.fingerprint}`;
    const d = scanned.decision;
    switch (d.kind) {
      case 'trusted':
        process.stdout.write(`${where}: already trusted (${shown}; ${d.by.file}:${d.by.line})\n`);
        break;
      case 'revoked':
        throw new HarnessError('UNAUTHORIZED', `${where}: its ${shown}, which is marked @revoked at ${d.by.file}:${d.by.line}; refused`);
      case 'changed': {
        const known = d.known.map((l) => `${displayKeyType(l.keyType)} ${l.fingerprint} (${l.file}:${l.line})`).join(', ');
        throw new HarnessError(
          'UNAUTHORIZED',
          `HOST KEY CHANGED for ${where}: it presents ${displayKeyType(scanned.keyType)} ${scanned.fingerprint}, but known_hosts holds ${known}. ` +
            `Refused: someone may be intercepting the connection, or the host was reinstalled. If the change is expected, remove the old line ` +
            `(ssh-keygen -R '${knownHostsName(host, port)}') and run this again.`,
        );
      }
      case 'unknown': {
        process.stdout.write(`The authenticity of host ${where} (${knownHostsName(host, port)}) is not known.\n${shown}.\n`);
        if (!flagBool(args, 'yes') && !(await confirm(`Trust it and add it to ${target.file}? [y/N] `))) {
          process.stderr.write('harness: not trusted (nothing written)\n');
          return EXIT.FAILURE;
        }
        const line = await appendKnownHost({ file: target.file, host, port, key: scanned.key, hash: target.hash });
        process.stdout.write(`Added to ${target.file}: ${line.split(' ').slice(0, 2).join(' ')} …\n`);
        break;
      }
    }
    if (user) {
      const h = pool.host({ host, port, user });
      const info = await h.connect();
      process.stdout.write(`${user}@${where}: login works (${info.authenticatedWith})\n`);
    }
    return EXIT.OK;
  } finally {
    await pool.close();
  }
}

async function confirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) {
    throw new UsageError('stdin is not a terminal, so the fingerprint cannot be confirmed: compare it yourself, then run again with --yes', 'trust');
  }
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}
