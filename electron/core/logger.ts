export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
/** `text` for a person at a terminal, `json` (one object a line) for log collectors. */
export type LogFormat = 'text' | 'json';
export const LOG_FORMATS: readonly LogFormat[] = ['text', 'json'];

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** The format asked for, else text when a person reads stderr and JSON lines when a program does. */
export function chooseLogFormat(asked: LogFormat | null, stderrIsTty: boolean): LogFormat {
  return asked ?? (stderrIsTty ? 'text' : 'json');
}

const pad = (n: number) => String(n).padStart(2, '0');

function textValue(v: unknown): string {
  if (typeof v === 'string') return /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v);
  // People read 3.09, not 3.091827999999964 (the JSON format keeps every digit).
  if (typeof v === 'number' && !Number.isInteger(v)) return String(Number(v.toPrecision(3)));
  if (v === undefined) return 'undefined';
  return typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v);
}

/** `12:01:02 INFO  metric store opened  series=12 ms=40` (local time). */
export function formatTextLine(
  t: number,
  level: LogLevel,
  msg: string,
  fields?: Record<string, unknown>,
): string {
  const d = new Date(t);
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  const kv = Object.entries(fields ?? {})
    .map(([k, v]) => `${k}=${textValue(v)}`)
    .join(' ');
  return `${time} ${level.toUpperCase().padEnd(5)} ${msg}${kv ? `  ${kv}` : ''}\n`;
}

/** One record a line on stderr, so stdout stays for what the CLI prints to people. */
export function createLogger(
  level: LogLevel,
  now: () => number,
  write: (line: string) => unknown = (line) => process.stderr.write(line),
  format: LogFormat = 'json',
): Logger {
  const log = (lvl: LogLevel) => (msg: string, fields?: Record<string, unknown>) => {
    if (RANK[lvl] < RANK[level]) return;
    const t = now();
    write(
      format === 'text'
        ? formatTextLine(t, lvl, msg, fields)
        : `${JSON.stringify({ t: new Date(t).toISOString(), level: lvl, msg, ...fields })}\n`,
    );
  };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
