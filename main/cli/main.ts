// The `harness` command line. bin/harness.js calls main(); every command lives in commands/.
//
//   harness [-f FILE] <command> [options]      (-f may also follow the command, except for logs)
//
// Exit codes (docs/cli.md): 0 ok, 1 failure, 2 usage, 3 project already supervised, 4 timeout.
import { harnessVersion } from '../os/package-root.js';
import { UsageError } from './args.js';
import { EXIT, reportError } from './errors.js';

type Command = (argv: string[]) => Promise<number>;

// Commands are imported when run: `harness ps` should not pay for loading Docker's client.
const COMMANDS: Record<string, { run: Command; summary: string }> = {
  validate: {
    run: async (argv) => (await import('./commands/validate.js')).validateCommand(argv),
    summary: 'Check services.yaml and print every problem with its location.',
  },
  import: {
    run: async (argv) => (await import('./commands/import.js')).importCommand(argv),
    summary: 'Convert a docker-compose file into services.yaml; list what could not be converted.',
  },
  pack: {
    run: async (argv) => (await import('./commands/pack.js')).packCommand(argv),
    summary: 'Build a Wireguard package from a folder and check it as the deployer will.',
  },
  up: {
    run: async (argv) => (await import('./commands/up.js')).upCommand(argv),
    summary: 'Start the stack in dependency order (foreground, or -d in the background).',
  },
  down: {
    run: async (argv) => (await import('./commands/down.js')).downCommand(argv),
    summary: 'Stop the stack and its supervisor; leave no process or container behind.',
  },
  ps: {
    run: async (argv) => (await import('./commands/ps.js')).psCommand(argv),
    summary: 'List services with status, health, pid, address, ports, restarts, exit.',
  },
  logs: {
    run: async (argv) => (await import('./commands/logs.js')).logsCommand(argv),
    summary: 'Print service logs; -f follows them.',
  },
  serve: { run: serveCommand, summary: 'Serve the desktop UI in a browser (and supervise the project).' },
  rollback: {
    run: async (argv) => (await import('./commands/rollback.js')).rollbackCommand(argv),
    summary: 'Make the previous release of a Wireguard service current again (and restart it).',
  },
  trust: {
    run: async (argv) => (await import('./commands/trust.js')).trustCommand(argv),
    summary: 'Show a host\'s SSH key fingerprint and, once confirmed, add it to ~/.ssh/known_hosts.',
  },
  help: { run: helpCommand, summary: 'Show help for harness or for one command.' },
};

const HIDDEN: Record<string, Command> = {
  __supervise: async (argv) => (await import('./commands/supervise.js')).superviseCommand(argv),
};

export function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  const rows = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return [
    'Usage: harness [-f FILE] <command> [options]',
    '',
    'Harness runs the stack described in services.yaml: starts services in dependency order, gates',
    'dependents on health, streams every log, and stops everything with nothing left behind.',
    '',
    'Commands:',
    ...rows,
    '',
    'Options:',
    '  -f, --file FILE  the services.yaml to use (default: ./services.yaml)',
    '  -V, --version    print the version',
    '  -h, --help       show help (also `harness <command> --help`)',
    '',
    'Exit status: 0 ok, 1 failure, 2 usage error, 3 project already supervised, 4 timeout.',
    'Set HARNESS_DEBUG=1 for stack traces. Docs: docs/cli.md',
    '',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  try {
    // Options before the command, as in `harness -f stack.yaml logs -f`.
    let file: string | undefined;
    let i = 0;
    for (; i < argv.length; i++) {
      const a = argv[i];
      if (a === '-f' || a === '--file') {
        file = argv[++i];
        if (file === undefined) throw new UsageError('option -f needs a value (FILE)');
      } else if (a.startsWith('--file=')) file = a.slice('--file='.length);
      else if (a === '-V' || a === '--version') return printVersion();
      else if (a === '-h' || a === '--help') return helpCommand([]);
      else if (a.startsWith('-')) throw new UsageError(`unknown option ${a} (options of a command go after it)`);
      else break;
    }
    const name = argv[i];
    if (name === undefined) {
      process.stdout.write(usage());
      return EXIT.USAGE;
    }
    if (name === 'version') return printVersion();
    const command = COMMANDS[name]?.run ?? HIDDEN[name];
    if (!command) throw new UsageError(`unknown command "${name}"${suggest(name)}; see \`harness help\``);
    const rest = argv.slice(i + 1);
    return await command(file !== undefined ? ['--file', file, ...rest] : rest);
  } catch (err) {
    return reportError(err);
  }
}

function printVersion(): number {
  process.stdout.write(`harness ${harnessVersion()}\n`);
  return EXIT.OK;
}

async function helpCommand(argv: string[]): Promise<number> {
  const topic = argv.find((a) => !a.startsWith('-'));
  if (topic && COMMANDS[topic] && topic !== 'help') return COMMANDS[topic].run(['--help']);
  if (topic && !COMMANDS[topic]) throw new UsageError(`unknown command "${topic}"`);
  process.stdout.write(usage());
  return EXIT.OK;
}

/** `harness serve` is written by the desktop work (main/cli/commands/serve.ts); loaded lazily so
 * the other commands do not pay for the web server, and so a build without it says so clearly. */
async function serveCommand(argv: string[]): Promise<number> {
  let mod: { serveCommand?: Command };
  try {
    mod = (await import('./commands/serve.js')) as { serveCommand?: Command };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' && String((err as Error).message).includes('serve.js')) {
      process.stderr.write('harness: `harness serve` is not available in this build (main/cli/commands/serve.ts is missing)\n');
      return EXIT.FAILURE;
    }
    throw err;
  }
  if (typeof mod.serveCommand !== 'function') {
    process.stderr.write('harness: `harness serve` is not available in this build (serve.js exports no serveCommand)\n');
    return EXIT.FAILURE;
  }
  return mod.serveCommand(argv);
}

function suggest(name: string): string {
  const hit = Object.keys(COMMANDS).find((c) => c.startsWith(name.slice(0, 2)));
  return hit ? ` (did you mean "${hit}"?)` : '';
}
