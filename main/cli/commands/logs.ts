// `harness logs [-f] [--tail N] [SERVICE...]`: history from the supervisor (or from the saved log
// files when none runs), then with -f the live stream until Ctrl-C or the supervisor ends.
import { statSync } from 'node:fs';
import type { LogLine } from '../../../shared/events.js';
import { loadProject } from '../../config/index.js';
import { didYouMean } from '../../config/did-you-mean.js';
import { checkServiceNames } from '../../../shared/service-names.js';
import { readLogHistory } from '../../../shared/log-history.js';
import { projectStateDir } from '../../state/paths.js';
import { connectSupervisor } from '../../supervisor/connect.js';
import type { SocketApiClient } from '../../supervisor/socket-client.js';
import { LOG_RING_LINES } from '../../logs/log-store.js';
import { FILE_FLAG, flagBool, flagInt, parseArgs, printHelp, UsageError, type CommandSpec } from '../args.js';
import { EXIT } from '../errors.js';
import { LogPrinter, useColour } from '../output.js';
import { displayPath, projectFile } from '../project-file.js';
import { readSavedLogs } from '../saved-logs.js';

/** What `logs.page` accepts as a window. */
const MAX_TAIL = 100_000;

/** Resolves when `stream` has room again (at once when it has). */
function drained(stream: NodeJS.WriteStream): Promise<void> {
  return stream.writableNeedDrain ? new Promise((resolve) => stream.once('drain', resolve)) : Promise.resolve();
}

export const logsSpec: CommandSpec = {
  name: 'logs',
  usage: 'harness [-f FILE] logs [-f] [--file FILE] [--tail N] [--timestamps] [--no-color] [SERVICE...]',
  summary: 'Print the logs of every service (or the named ones), oldest first.',
  flags: [
    // As in `docker compose logs -f`: here -f follows; the file is `harness -f FILE logs` or --file.
    { ...FILE_FLAG, short: undefined },
    { name: 'follow', short: 'f', description: 'keep printing new lines until Ctrl-C or until the stack stops' },
    { name: 'tail', short: 'n', value: true, placeholder: 'N', description: 'lines of history: the newest N in all, or of each named service (default 1000; 0: none)' },
    { name: 'timestamps', short: 't', description: 'prefix each line with its time' },
    { name: 'no-color', description: 'no colours' },
  ],
  details:
    'Without a running supervisor the saved log files under the state directory are printed.\n' +
    'Exit status: 0; 1 when a named service does not exist.',
};

export async function logsCommand(argv: string[]): Promise<number> {
  const args = parseArgs(logsSpec, argv);
  if (args.flags.has('help')) return printHelp(logsSpec);
  // `harness logs -f worker -f stack.yaml` reads as "follow worker and stack.yaml" here: say so.
  for (const p of args.positionals) {
    if (/\.ya?ml$/i.test(p) || isFile(p)) {
      throw new UsageError(
        `"${p}" is a file, not a service: in "harness logs", -f means follow; give the file as "harness -f ${p} logs" or "harness logs --file ${p}"`,
        'logs',
      );
    }
  }
  const file = projectFile(args, true, '--file FILE, or harness -f FILE logs');
  const tail = flagInt(args, 'tail', 1000, logsSpec);
  if (tail > MAX_TAIL) throw new UsageError(`--tail is at most ${MAX_TAIL} (Harness keeps ${LOG_RING_LINES} lines per service in memory; the files under the state directory hold more)`, 'logs');
  const follow = flagBool(args, 'follow');
  const printer = new LogPrinter(process.stdout, useColour(process.stdout, flagBool(args, 'no-color')));
  const stamp = flagBool(args, 'timestamps');
  const print = (l: LogLine): void =>
    printer.line(stamp ? { ...l, line: `${new Date(l.ts).toISOString()} ${l.line}` } : l);
  const services = args.positionals;
  await checkNames(file, services);

  const client = await connectSupervisor(file);
  if (!client) {
    const saved = await readSavedLogs(projectStateDir(file), services, tail);
    saved.forEach(print);
    if (follow) process.stderr.write(`harness: no supervisor is running for ${displayPath(file)}; showed the saved logs\n`);
    return EXIT.OK;
  }
  try {
    return await fromSupervisor(client, services, tail, follow, print);
  } finally {
    client.close();
  }
}

/** A named service that the file does not have is an error that names it, with "did you mean";
 * a file that does not validate is not checked (its logs are still worth reading). */
async function checkNames(file: string, services: string[]): Promise<void> {
  if (services.length === 0) return;
  const { config } = await loadProject(file);
  if (config) checkServiceNames(services, new Set(config.services.map((s) => s.name)), displayPath(file), didYouMean);
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

async function fromSupervisor(
  client: SocketApiClient,
  services: string[],
  tail: number,
  follow: boolean,
  print: (l: LogLine) => void,
): Promise<number> {
  const wanted = new Set(services);
  // Subscribe before reading history, and hold live lines until it is printed: nothing falls in
  // the gap, and lines present in both are printed once (per-service line numbers).
  const pending: LogLine[] = [];
  let live = false;
  const lastN = new Map<string, number>();
  const emit = (l: LogLine): void => {
    if (l.n > 0 && l.n <= (lastN.get(l.service) ?? 0)) return;
    if (l.n > 0) lastN.set(l.service, l.n);
    print(l);
  };
  if (follow) {
    client.on('logs', (batch) => {
      for (const l of batch.lines) {
        if (wanted.size > 0 && !wanted.has(l.service)) continue;
        if (live) emit(l);
        else pending.push(l);
      }
      for (const [svc, n] of Object.entries(batch.dropped ?? {})) {
        if (wanted.size === 0 || wanted.has(svc)) process.stderr.write(`harness: ${n} line(s) of ${svc} were dropped (output too fast)\n`);
      }
    });
  }
  // Page by page, printed as it comes, waiting for a slow reader of stdout between pages.
  if (tail > 0) {
    await readLogHistory(client, services.length === 0 ? { limit: tail } : { services, limit: tail }, async (lines) => {
      lines.forEach(emit);
      await drained(process.stdout);
    });
  }
  if (!follow) return EXIT.OK;
  live = true;
  pending.splice(0).forEach(emit);
  // Until Ctrl-C (exit 0) or the supervisor goes away (the stack was stopped).
  const interrupted = new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await Promise.race([client.closed, interrupted]);
  return EXIT.OK;
}
