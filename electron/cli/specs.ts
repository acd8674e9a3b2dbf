// Every command's flags, listed in one place: the parser reads its options from the specs and
// `--help` prints them, so the two cannot drift apart. Each command's spec lives in a file of its
// own beside this one; this file holds their shape, the list and the help printer. Plain data;
// loading it costs nothing.

import { AGENT } from './agent-spec.js';
import { AUDIT, DETECT, FORECAST, TOKEN } from './one-shot-specs.js';
import { RELAY } from './relay-spec.js';
import { SERVE } from './serve-spec.js';
import { SIMULATE } from './simulate-spec.js';

export interface FlagSpec {
  type: 'string' | 'boolean';
  /** What the value looks like in the usage line (URL, N, MS …). */
  value?: string;
  description: string;
  default?: string;
  required?: boolean;
  /** May be given more than once (the values are a list). */
  multiple?: boolean;
}

export interface CommandSpec {
  name: string;
  summary: string;
  /** The synopsis after `meridian <name>`. */
  synopsis: string;
  flags: Record<string, FlagSpec>;
  /** Lines after the options (environment, exit codes). */
  notes?: readonly string[];
}

export const COMMANDS: readonly CommandSpec[] = [
  SERVE,
  AGENT,
  RELAY,
  SIMULATE,
  TOKEN,
  FORECAST,
  DETECT,
  AUDIT,
];

const LINE = 100;

/** Words into lines of at most `width` characters (a longer word gets a line of its own). */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line];
}

/** `meridian <command> --help`: synopsis, summary, every flag with its default. */
export function commandUsage(spec: CommandSpec): string {
  const rows: [string, string][] = Object.entries(spec.flags).map(([name, f]) => {
    const left = `--${name}${f.value ? ` ${f.value}` : ''}`;
    const extra = [f.required ? 'required' : null, f.default ? `default: ${f.default}` : null]
      .filter(Boolean)
      .join('; ');
    return [left, `${f.description}${extra ? ` (${extra})` : ''}`];
  });
  rows.push(['-h, --help', 'show this help']);
  const width = Math.max(...rows.map(([l]) => l.length)) + 2;
  const wrapped = rows.flatMap(([l, r]) =>
    wrap(r, Math.max(40, LINE - 2 - width)).map(
      (text, i) => `  ${(i === 0 ? l : '').padEnd(width)}${text}`,
    ),
  );
  return [
    `usage: meridian ${spec.name} ${spec.synopsis}`,
    '',
    `${spec.summary[0]!.toUpperCase()}${spec.summary.slice(1)}.`,
    '',
    'options:',
    ...wrapped,
    ...(spec.notes?.length ? ['', ...spec.notes.flatMap((n) => wrap(n, LINE))] : []),
    '',
  ].join('\n');
}
