// The desktop app's own command-line flags. Electron and Chromium (and Playwright) add switches
// of their own (--no-sandbox, --inspect=0, --remote-debugging-port=0 …) and the app path itself,
// so unknown arguments are ignored rather than refused; our flags' values are checked.

import { LOG_FORMATS, type LogFormat } from '../core/logger.js';

export interface ShellArgs {
  /** Start a HostAgent for this machine, as `meridian serve --with-agent` does. */
  withAgent: boolean;
  agentRegion: string | null;
  /** --data-dir or Chromium's --user-data-dir: both move userData (the console's data dir). */
  dataDir: string | null;
  /** Explicit ports (0: any free one); null: 4780/4781, or a free port when those are taken. */
  port: number | null;
  ingestPort: number | null;
  ingestHost: string | null;
  /** Start with the window hidden (tray only). */
  hidden: boolean;
  /** --log-format text|json; null: text when stderr is a terminal, else JSON lines. */
  logFormat: LogFormat | null;
}

export class ShellArgError extends Error {}

const VALUE_FLAGS = [
  'agent-region',
  'data-dir',
  'user-data-dir',
  'port',
  'ingest-port',
  'ingest-host',
  'log-format',
] as const;
const BOOL_FLAGS = ['with-agent', 'hidden'] as const;

function port(name: string, raw: string): number {
  if (!/^\d{1,5}$/.test(raw) || Number(raw) > 65535) {
    throw new ShellArgError(
      `meridian: --${name} must be a port number from 0 to 65535 (got '${raw}')`,
    );
  }
  return Number(raw);
}

export function parseShellArgs(argv: readonly string[]): ShellArgs {
  const values = new Map<string, string>();
  const bools = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) continue;
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    if ((BOOL_FLAGS as readonly string[]).includes(name)) {
      bools.add(name);
    } else if ((VALUE_FLAGS as readonly string[]).includes(name)) {
      const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined || value === '' || (eq < 0 && value.startsWith('--'))) {
        throw new ShellArgError(`meridian: --${name} needs a value`);
      }
      values.set(name, value);
    }
  }
  const region = values.get('agent-region') ?? null;
  if (region !== null && !/^[a-z0-9][a-z0-9-]{0,62}$/.test(region)) {
    throw new ShellArgError(
      `meridian: --agent-region must be a region id like us-east-1 (got '${region}')`,
    );
  }
  const logFormat = values.get('log-format') ?? null;
  if (logFormat !== null && !(LOG_FORMATS as readonly string[]).includes(logFormat)) {
    throw new ShellArgError(
      `meridian: --log-format must be one of ${LOG_FORMATS.join(', ')} (got '${logFormat}')`,
    );
  }
  const p = values.get('port');
  const ip = values.get('ingest-port');
  return {
    withAgent: bools.has('with-agent'),
    agentRegion: region,
    dataDir: values.get('data-dir') ?? values.get('user-data-dir') ?? null,
    port: p === undefined ? null : port('port', p),
    ingestPort: ip === undefined ? null : port('ingest-port', ip),
    ingestHost: values.get('ingest-host') ?? null,
    hidden: bools.has('hidden'),
    logFormat: logFormat as LogFormat | null,
  };
}
