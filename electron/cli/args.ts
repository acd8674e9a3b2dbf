import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A bad command line: the message names the flag and what was wrong. */
export class UsageError extends Error {}

export function parse<O extends NonNullable<ParseArgsConfig['options']>>(
  command: string,
  argv: string[],
  options: O,
) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (err) {
    throw new UsageError(`meridian ${command}: ${(err as Error).message}`);
  }
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
