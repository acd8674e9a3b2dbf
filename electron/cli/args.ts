import { parseArgs } from 'node:util';
import { commandUsage, type CommandSpec } from './specs.js';

/** A bad command line: the message names the flag and what was wrong. */
export class UsageError extends Error {}

/** `--help` / `-h` was given: the usage text to print (stdout, exit 0). */
export class HelpRequested extends Error {}

export type FlagValues<S extends CommandSpec> = {
  [K in keyof S['flags']]?: S['flags'][K]['type'] extends 'boolean'
    ? boolean
    : S['flags'][K] extends { multiple: true }
      ? string[]
      : string;
};

/** Parse a command's flags as its spec declares them; `--help` anywhere wins. */
export function parse<S extends CommandSpec>(spec: S, argv: string[]): FlagValues<S> {
  const options = Object.fromEntries(
    Object.entries(spec.flags).map(([name, f]) => [
      name,
      { type: f.type, ...(f.multiple ? { multiple: true } : {}) },
    ]),
  );
  const wantsHelp = () => argv.includes('--help') || argv.includes('-h');
  let values: Record<string, unknown>;
  try {
    values = parseArgs({
      args: argv,
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (err) {
    if (wantsHelp()) throw new HelpRequested(commandUsage(spec));
    throw new UsageError(
      `meridian ${spec.name}: ${(err as Error).message} (meridian ${spec.name} --help lists the options)`,
    );
  }
  if (values.help) throw new HelpRequested(commandUsage(spec));
  return values as FlagValues<S>;
}

export function intFlag(
  command: string,
  name: string,
  raw: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!/^-?\d+$/.test(raw) || n < min || n > max) {
    throw new UsageError(
      `meridian ${command}: --${name} must be an integer from ${min} to ${max} (got '${raw}')`,
    );
  }
  return n;
}

/** A host to listen on: never empty, since Node reads an empty host as every interface. */
export function hostFlag(
  command: string,
  name: string,
  raw: string | undefined,
): string | undefined {
  if (raw === undefined) return undefined;
  if (!/^\S+$/.test(raw)) {
    throw new UsageError(
      `meridian ${command}: --${name} must be a host name or address (got '${raw}'); an empty host would listen on every interface, so say 0.0.0.0 for that`,
    );
  }
  return raw;
}

export function required(command: string, name: string, value: string | undefined): string {
  if (!value) throw new UsageError(`meridian ${command}: --${name} is required`);
  return value;
}

export function oneOf<T extends string>(
  command: string,
  name: string,
  value: string | undefined,
  allowed: readonly T[],
  fallback: T,
): T {
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new UsageError(
      `meridian ${command}: --${name} must be one of ${allowed.join(', ')} (got '${value}')`,
    );
  }
  return value as T;
}

export function wsUrl(command: string, raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`meridian ${command}: --url is not a URL (got '${raw}')`);
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new UsageError(
      `meridian ${command}: --url must start with ws:// or wss:// (got '${raw}')`,
    );
  }
  return raw;
}

/** Resolve on SIGINT/SIGTERM, so commands can shut down cleanly. */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const done = (s: NodeJS.Signals) => resolve(s);
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
}
