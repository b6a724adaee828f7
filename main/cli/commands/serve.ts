// `harness serve`: the browser UI. Becomes the project's supervisor (so `harness ps/logs/down`
// attach to it exactly as to `harness up`) and serves the same API over a loopback WebSocket,
// plus the built renderer, behind a per-launch token. When the file already has a supervisor
// (`harness up -d`, another serve, the app), it attaches to that one instead: same state, logs
// and controls, and Ctrl-C then closes only the UI.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { startHarnessServer, type HarnessServer } from '../../server/harness-server.js';
import { writeLaunchFile, type LaunchFile } from '../../server/launch-file.js';
import { demoFile } from '../../os/package-root.js';
import { HarnessError } from '../../../shared/errors.js';
import { attachToSupervisor, type AttachedSupervisor } from '../../supervisor/attach.js';
import { startSupervisor, type Supervisor } from '../../supervisor/supervisor.js';
import { FILE_FLAG, flagBool, flagInt, flagString, parseArgs, printHelp, UsageError, type CommandSpec } from '../args.js';
import { reportError } from '../errors.js';
import { createShutdown } from '../shutdown-signals.js';
import { DEFAULT_FILE, displayPath } from '../project-file.js';

export const serveSpec: CommandSpec = {
  name: 'serve',
  usage: 'harness serve [-f FILE] [--port N] [--open | --no-open] [--accept-new-hosts]',
  summary: 'Serve the Harness UI to a browser on 127.0.0.1 and supervise the project.',
  flags: [
    FILE_FLAG,
    { name: 'port', value: true, placeholder: 'N', description: 'port on 127.0.0.1 (default: a free one)' },
    { name: 'open', description: 'open the UI in a browser (default when a desktop session is present)' },
    { name: 'no-open', description: 'only print the URL' },
    { name: 'accept-new-hosts', description: 'trust SSH host keys seen for the first time (OpenSSH accept-new); a changed key is still refused' },
  ],
  details: `Prints "Harness UI: http://127.0.0.1:PORT/?code=…", a link that signs in once, and the
path of a page file only you can read that opens the UI any number of times (removed when serve
stops). --open starts the browser on that file: the session token is never on a command line nor
in this output. The page keeps the token for the tab's lifetime. Without -f, ./services.yaml is
opened when it exists, else the UI starts empty (open a file, the demo, or create one from there).

When the file already has a supervisor (\`harness up -d\`, another serve, the app), serve attaches
to it: the UI shows the same state, logs and controls, and Ctrl-C closes only the UI.

Exit codes: 0 stopped by Ctrl-C/SIGTERM/\`harness down\` (or the attached supervisor stopped), 1 failure, 2 usage.`,
};

function hasDesktop(env: NodeJS.ProcessEnv): boolean {
  if (process.platform === 'darwin' || process.platform === 'win32') return true;
  return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
}

/** Opens `url` in the user's browser; false when no opener could be started. `url` ends up on
 * command lines that every local user can read: never pass it a secret. */
export function openBrowser(url: string): Promise<boolean> {
  const cmd = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'cmd' : 'xdg-open';
  const args = process.platform === 'win32' ? ['/c', 'start', '""', url] : [url];
  return new Promise((done) => {
    try {
      const child = spawn(cmd, args, { detached: true, stdio: 'ignore' });
      child.once('error', () => done(false));
      child.once('spawn', () => {
        child.unref();
        done(true);
      });
    } catch {
      done(false);
    }
  });
}

export async function serveCommand(argv: string[]): Promise<number> {
  let sup: Supervisor | null = null;
  let attached: AttachedSupervisor | null = null;
  let server: HarnessServer | null = null;
  let launch: LaunchFile | null = null;
  try {
    const args = parseArgs(serveSpec, argv);
    if (flagBool(args, 'help')) return printHelp(serveSpec);
    if (args.positionals.length > 0) throw new UsageError(`unexpected argument "${args.positionals[0]}"`, 'serve');
    const port = flagInt(args, 'port', 0, serveSpec);
    if (port > 65535) throw new UsageError(`--port must be 0-65535, got ${port}`, 'serve');
    const given = flagString(args, 'file');
    const file = given ? resolve(given) : existsSync(resolve(DEFAULT_FILE)) ? resolve(DEFAULT_FILE) : null;
    if (given && !existsSync(file!)) throw new UsageError(`${displayPath(file!)} not found`, 'serve');

    const shutdown = createShutdown({
      stop: async () => {
        await launch?.remove();
        await server?.close().catch(() => undefined);
        attached?.close();
        await sup?.close();
      },
      force: () => sup?.session.forceKill(),
      onStopping: (why) => process.stderr.write(`harness: stopping (${why})…\n`),
      onForcing: () => process.stderr.write('harness: forcing: killing every service\'s process group now\n'),
      onError: (err) => reportError(err),
    });

    attached = file ? await attachToSupervisor(file) : null;
    if (!attached) {
      try {
        sup = await startSupervisor({
          file,
          command: 'harness serve',
          acceptNewHosts: flagBool(args, 'accept-new-hosts'),
          onShutdownRequest: () => void shutdown.request('shutdown requested'),
        });
      } catch (err) {
        // Another supervisor took the project between the look and the lock: attach to it.
        if (!(err instanceof HarnessError && err.code === 'CONFLICT' && file)) throw err;
        attached = await attachToSupervisor(file);
        if (!attached) throw err;
      }
    }
    if (attached) void attached.closed.then(() => shutdown.request('the supervisor stopped'));
    const dispatcher = attached ? attached.dispatcher : (sup as Supervisor).dispatcher;
    server = await startHarnessServer({ dispatcher, port, demoPath: demoFile() });
    launch = await writeLaunchFile(server.url).catch((err: Error) => {
      process.stderr.write(`harness: ${err.message}; use the one-time link instead\n`);
      return null;
    });
    shutdown.trapSignals(['SIGINT', 'SIGTERM']);

    // The token itself is never printed: a one-time link, and the owner-only page for later.
    process.stdout.write(`Harness UI: ${server.issueLink()}\n`);
    if (launch) process.stdout.write(`(that link signs in once; to open the UI again: ${launch.url}, which only you can read)\n`);
    if (attached) {
      process.stdout.write(
        `Attached to the supervisor of ${displayPath(file as string)} (pid ${attached.owner.pid}). Press Ctrl-C to close this UI; ` +
          'the stack keeps running (`harness down` stops it).\n',
      );
    } else {
      process.stdout.write(file ? `Supervising ${displayPath(file)}. Press Ctrl-C to stop every service and quit.\n` : 'No project open yet. Press Ctrl-C to quit.\n');
    }
    const wantOpen = flagBool(args, 'open') || (!flagBool(args, 'no-open') && hasDesktop(process.env) && process.stdout.isTTY === true);
    // Only ever the page file: the one-time link on a command line could be taken by another user first.
    if (wantOpen && !(launch && (await openBrowser(launch.url)))) process.stdout.write('(no browser opened: open the link above yourself)\n');
    return await shutdown.done;
  } catch (err) {
    await launch?.remove();
    await server?.close().catch(() => undefined);
    attached?.close();
    await sup?.close().catch(() => undefined);
    return reportError(err);
  }
}
