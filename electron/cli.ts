import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { HelpRequested, parse, UsageError } from './cli/args.js';
import { TOKEN } from './cli/one-shot-specs.js';
import { COMMANDS } from './cli/specs.js';
// Only what every command needs is loaded up front: the agent runs on hosts where its memory
// is part of its cost, and the config schema alone pulls in the store.
import { ConfigError } from './core/config-error.js';
import { VERSION } from './core/version.js';

const USAGE = [
  `meridian ${VERSION} — monitoring console for a multi-region fleet`,
  '',
  'usage: meridian <command> [options]',
  '',
  'commands:',
  ...COMMANDS.map((c) => `  ${c.name.padEnd(10)}${c.summary}`),
  '',
  "`meridian <command> --help` lists a command's options and their defaults.",
  'environment: MERIDIAN_AGENT_TOKEN, MERIDIAN_SESSION_TOKEN, MERIDIAN_DATA_DIR',
  '',
].join('\n');

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'serve':
        // Each command loads only its own modules: start-up time is part of the product.
        return await (await import('./cli/serve.js')).serveCommand(rest, env);
      case 'agent':
        return await (await import('./cli/agent.js')).agentCommand(rest, env);
      case 'relay':
        return await (await import('./cli/relay.js')).relayCommand(rest, env);
      case 'simulate':
        return await (await import('./cli/simulate.js')).simulateCommand(rest, env);
      case 'forecast':
        return await (await import('./cli/forecast.js')).forecastCommand(rest);
      case 'detect':
        return await (await import('./cli/detect.js')).detectCommand(rest);
      case 'audit':
        return await (await import('./cli/audit.js')).auditCommand(rest, env);
      case 'token': {
        const flags = parse(TOKEN, rest);
        const { defaultDataDir } = await import('./core/config.js');
        const { loadOrCreateAgentToken } = await import('./core/ingest/tokens.js');
        const dir = resolve(flags['data-dir'] ?? env.MERIDIAN_DATA_DIR ?? defaultDataDir());
        await mkdir(dir, { recursive: true, mode: 0o700 });
        process.stdout.write(`${await loadOrCreateAgentToken(dir)}\n`);
        return 0;
      }
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(USAGE);
        return command === undefined ? 2 : 0;
      case '--version':
        process.stdout.write(`${VERSION}\n`);
        return 0;
      default:
        process.stderr.write(`meridian: unknown command '${command}'\n\n${USAGE}`);
        return 2;
    }
  } catch (err) {
    if (err instanceof HelpRequested) {
      process.stdout.write(err.message);
      return 0;
    }
    if (err instanceof UsageError || err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      return 2;
    }
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      process.stderr.write(
        `meridian ${command}: ${(err as Error).message} — ${portHint(command)}\n`,
      );
      return 1;
    }
    throw err;
  }
}

/** What to do about a port in use, in the words of the command's own flags. */
function portHint(command: string | undefined): string {
  return command === 'relay'
    ? 'is a console or another relay listening there? Pick another --listen-port.'
    : 'is another console running? Pick another --port/--ingest-port.';
}
