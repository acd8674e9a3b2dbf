// The flags of the one-shot commands, which do one thing and exit: `meridian token`, the offline
// `forecast` and `detect` of a CSV, and `audit verify` (kept beside specs.ts, which lists them
// in COMMANDS).
import type { CommandSpec } from './specs.js';

export const TOKEN = {
  name: 'token',
  summary: 'print the agent token (created on first use)',
  synopsis: '[--data-dir DIR]',
  flags: {
    'data-dir': {
      type: 'string',
      value: 'DIR',
      description: "the console's data directory",
      default: '$MERIDIAN_DATA_DIR or ~/.meridian',
    },
  },
} as const satisfies CommandSpec;

export const FORECAST = {
  name: 'forecast',
  summary: 'forecast a timestamp,value CSV offline, as the console would',
  synopsis: '--csv FILE [options]',
  flags: {
    csv: {
      type: 'string',
      value: 'FILE',
      description:
        'timestamp,value CSV with a header row; ISO 8601, epoch seconds or epoch ms (numbers of 1e11 and above)',
      required: true,
    },
    horizon: {
      type: 'string',
      value: 'DUR',
      description: 'how far ahead, 1h to 30d (m, h or d), in steps of the input interval',
      default: '7d',
    },
    interval: {
      type: 'string',
      value: 'P',
      description: 'level of the lower/upper band, between 0 and 1',
      default: '0.95',
    },
    effort: {
      type: 'string',
      value: 'full|fast',
      description: 'full backtests MSTL+ETS/AutoETS too; fast only the closed-form models',
      default: 'full',
    },
  },
  notes: [
    'stdout: timestamp,forecast,lower,upper, one row per step; stderr: model, backtest MASE and coverage.',
    'exit 2: bad flags, an unreadable or bad CSV (the message names the line), or too little history.',
  ],
} satisfies CommandSpec;

export const DETECT = {
  name: 'detect',
  summary: 'score a timestamp,value CSV for anomalies offline, as the console would',
  synopsis: '--csv FILE [options]',
  flags: {
    csv: {
      type: 'string',
      value: 'FILE',
      description:
        'timestamp,value CSV with a header row; ISO 8601, epoch seconds or epoch ms (numbers of 1e11 and above)',
      required: true,
    },
    sensitivity: {
      type: 'string',
      value: 'S',
      description: 'low, medium or high, or the score threshold itself, between 0 and 1',
      default: 'medium',
    },
    warmup: {
      type: 'string',
      value: 'DUR',
      description: 'history a series needs before it is scored, 0 to 30d (m, h or d)',
      default: '24h',
    },
  },
  notes: [
    'Each row is scored using only the rows before it, as the live detector scores samples.',
    'stdout: timestamp,value,anomaly_score,is_anomaly (score 0–1); stderr: the episodes an anomaly rule would have raised.',
    'exit 2: bad flags, or an unreadable or bad CSV (the message names the line).',
  ],
} as const satisfies CommandSpec;

export const AUDIT = {
  name: 'audit',
  summary: "check the audit trail's hash chain (audit verify)",
  synopsis: 'verify [--data-dir DIR] [--json]',
  flags: {
    'data-dir': {
      type: 'string',
      value: 'DIR',
      description: "the console's data directory (holds audit.ndjson and audit.head)",
      default: '$MERIDIAN_DATA_DIR or ~/.meridian',
    },
    json: { type: 'boolean', description: 'print the result as JSON' },
  },
  notes: [
    'Reads audit.ndjson streamed, checks every line against the one before and the audit.head checkpoint, and names the first broken line: edited, deleted, reordered, inserted or truncated.',
    'exit 0: the chain holds; 1: it is broken (or holds breaks the console recorded); 2: bad usage or no such file.',
  ],
} as const satisfies CommandSpec;
