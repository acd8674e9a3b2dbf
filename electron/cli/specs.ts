// Every command""s flags, in one place: the parser reads its options from here and `--help`
// prints them, so the two cannot drift apart. Plain data; loading it costs nothing.

import { DEFAULT_INTERVALS, INTERVAL_BOUNDS } from '../../agent/intervals.js';
import { DEFAULT_SCRAPE_MAX_SERIES, MAX_SCRAPE_SERIES } from '../../agent/scrape/limits.js';
import { LOG_FORMAT_FLAG } from './common-flags.js';
import { RELAY } from './relay-spec.js';

const INTERVAL_RANGE = `${INTERVAL_BOUNDS.min} to ${INTERVAL_BOUNDS.max}`;

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

const AGENT_TYPES_TEXT = 'system, application, database or network';

export const SERVE = {
  name: 'serve',
  summary: 'run the console core and its HTTP/stream server without Electron',
  synopsis: '[options]',
  flags: {
    'data-dir': {
      type: 'string',
      value: 'DIR',
      description: 'where state, metrics and the agent token live',
      default: '$MERIDIAN_DATA_DIR or ~/.meridian',
    },
    port: {
      type: 'string',
      value: 'N',
      description: 'console (UI and API) port on 127.0.0.1; 0 picks a free one',
      default: '4780',
    },
    'ingest-port': {
      type: 'string',
      value: 'N',
      description: 'port agents connect to; 0 picks a free one',
      default: '4781',
    },
    'ingest-host': {
      type: 'string',
      value: 'HOST',
      description:
        "address the ingest port binds; for agents on other hosts, one of this machine's addresses (served over TLS: see docs/security.md)",
      default: '127.0.0.1',
    },
    'ingest-tls': {
      type: 'string',
      value: 'auto|off|CERT,KEY',
      description:
        'TLS on the ingest port: auto (a private CA made in <data-dir>/tls/), off (plain ws://), or your own PEM certificate chain and key files',
      default: 'auto',
    },
    'insecure-ingest': {
      type: 'boolean',
      description: 'allow plain ws:// (--ingest-tls off) on a non-loopback --ingest-host',
    },
    'agent-token': {
      type: 'string',
      value: 'T',
      description: 'the enrolment secret: what an agent presents once to obtain its own key',
      default: '$MERIDIAN_AGENT_TOKEN, else <data-dir>/agent-token, created on first run',
    },
    'session-token': {
      type: 'string',
      value: 'T',
      description: "the console's session token",
      default: '$MERIDIAN_SESSION_TOKEN, else a new one per launch',
    },
    config: {
      type: 'string',
      value: 'FILE',
      description: 'settings file, see docs/operations.md; flags win over it',
      default: '<data-dir>/config.json',
    },
    renderer: {
      type: 'string',
      value: 'DIR',
      description: 'directory of the built renderer',
      default: 'dist/renderer',
    },
    'with-agent': { type: 'boolean', description: 'also run an agent for this machine' },
    'agent-region': {
      type: 'string',
      value: 'R',
      description: 'region of that agent',
      default: 'us-east-1',
    },
    'log-format': LOG_FORMAT_FLAG,
  },
  notes: ['exit codes: 0 stopped by SIGINT/SIGTERM, 1 could not start, 2 bad command line'],
} as const satisfies CommandSpec;

export const AGENT = {
  name: 'agent',
  summary: "report this host's cpu, memory, disk, network and load to a console",
  synopsis: '--url ws://HOST:PORT --token T [options]',
  flags: {
    url: {
      type: 'string',
      value: 'URL',
      description: "the console's ingest URL, ws:// or wss://",
      required: true,
    },
    token: {
      type: 'string',
      value: 'T',
      description:
        "the enrolment secret (`meridian token` on the console host prints it); used once, to obtain this agent's own key",
      default: '$MERIDIAN_AGENT_TOKEN; needed until the agent has a key',
    },
    'ca-fingerprint': {
      type: 'string',
      value: 'sha256:HEX',
      description:
        "trust the console's wss:// certificate only if its chain holds the CA with this SHA-256 fingerprint (the console's connect command shows it)",
    },
    region: {
      type: 'string',
      value: 'R',
      description: 'region id this host belongs to',
      default: 'us-east-1',
    },
    type: {
      type: 'string',
      value: 'TYPE',
      description: `agent type: ${AGENT_TYPES_TEXT}`,
      default: 'system',
    },
    hostname: {
      type: 'string',
      value: 'H',
      description: 'name to report',
      default: "this host's name",
    },
    interval: {
      type: 'string',
      value: 'MS',
      description: `how often cpu, memory, root disk and load are collected, ${INTERVAL_RANGE}`,
      default: String(DEFAULT_INTERVALS.headline),
    },
    'network-interval': {
      type: 'string',
      value: 'MS',
      description: `how often network byte counters are collected, ${INTERVAL_RANGE}`,
      default: String(DEFAULT_INTERVALS.network),
    },
    'filesystems-interval': {
      type: 'string',
      value: 'MS',
      description: `how often every mount's usage (and each --disk-quota directory) is collected, ${INTERVAL_RANGE}`,
      default: String(DEFAULT_INTERVALS.filesystems),
    },
    'state-dir': {
      type: 'string',
      value: 'DIR',
      description:
        "the agent's own directory: its key (agent-key.json, 0600), actions file (actions.json) and action journal (actions-journal.json)",
      default: '$MERIDIAN_AGENT_STATE_DIR or ~/.meridian/agent',
    },
    actions: {
      type: 'string',
      value: 'FILE',
      description:
        'the actions this agent may run for the console (see docs/recovery-agent.md); without one it runs nothing',
      default: '<state-dir>/actions.json if it exists',
    },
    'disk-quota': {
      type: 'string',
      value: 'DIR=BYTES',
      multiple: true,
      description:
        'report disk_usage{mount=DIR} as the bytes under DIR against a budget of BYTES (e.g. /srv/spool=20GiB); repeatable',
    },
    scrape: {
      type: 'string',
      value: 'URL[,URL…]',
      multiple: true,
      description:
        "Prometheus exposition endpoints on this host to scrape and forward (node_exporter, an app's /metrics); node_exporter's cpu, memory and filesystems also feed cpu_usage, memory_usage, disk_usage and filesystem_usage (docs/scrape.md); repeatable",
    },
    'scrape-interval': {
      type: 'string',
      value: 'MS',
      description: `how often the --scrape endpoints are scraped, ${INTERVAL_RANGE}`,
      default: 'the --interval value',
    },
    'scrape-max-series': {
      type: 'string',
      value: 'N',
      description: `at most this many series from all --scrape endpoints together (with --scrape-raw-counters a counter counts twice), 1 to ${MAX_SCRAPE_SERIES}`,
      default: String(DEFAULT_SCRAPE_MAX_SERIES),
    },
    'scrape-raw-counters': {
      type: 'boolean',
      description:
        "send each scraped counter's raw value (kind counter) beside its per-second rate (NAME:rate), which is all that is sent otherwise",
    },
    'no-security': {
      type: 'boolean',
      description:
        'send no host security events: no authentication events (journald, else /var/log/auth.log or /var/log/secure; Linux only), no file integrity, no listening ports',
    },
    'fim-paths': {
      type: 'string',
      value: 'P1,P2',
      description:
        'file integrity: the absolute paths to watch (a directory: its files), comma-separated, replacing the default list',
      default:
        "/etc/passwd, shadow, group, sudoers, sudoers.d, ssh/sshd_config and every user's ~/.ssh/authorized_keys",
    },
    'no-fim': {
      type: 'boolean',
      description:
        'no file integrity monitoring (SHA-256 baseline in <state-dir>/fim-baseline.json, watch + rescan every 5 min)',
    },
    'no-ports': {
      type: 'boolean',
      description:
        'no listening-port events (Linux /proc/net/tcp and tcp6 every 30 s; baseline in <state-dir>/ports-baseline.json)',
    },
    'no-posture': {
      type: 'boolean',
      description:
        'do not collect posture facts (sshd settings, firewall, time sync, auditd, password ageing, updates, disk encryption) for the compliance scorecards',
    },
  },
  notes: [
    'Quiet while healthy: it prints when it connects, retries, is paused or refused, and each action it runs or refuses.',
    'Unacked batches are kept (up to 10,000) and resent after a reconnect.',
    'exit codes: 0 stopped by SIGINT/SIGTERM, 1 refused by the console (bad token, protocol error), 2 bad command line or actions file',
  ],
} as const satisfies CommandSpec;

export const SIMULATE = {
  name: 'simulate',
  summary: 'N virtual agents across the regions, with scripted incidents',
  synopsis: '--url ws://HOST:PORT --token T [options]',
  flags: {
    url: { type: 'string', value: 'URL', description: "the console's ingest URL", required: true },
    token: {
      type: 'string',
      value: 'T',
      description: 'the agent token',
      default: '$MERIDIAN_AGENT_TOKEN; one of the two is needed',
    },
    'ca-fingerprint': {
      type: 'string',
      value: 'sha256:HEX',
      description: "pin the console's wss:// CA, as `meridian agent --ca-fingerprint` does",
    },
    'state-dir': {
      type: 'string',
      value: 'DIR',
      description:
        "where the virtual agents' keys are kept (sim-keys.json), so a rerun reconnects them",
      default: '$MERIDIAN_SIM_STATE_DIR or ~/.meridian/simulator',
    },
    agents: {
      type: 'string',
      value: 'N',
      description: 'number of virtual agents, 1 to 20000',
      default: '50',
    },
    seed: {
      type: 'string',
      value: 'S',
      description: 'random seed; the same seed gives the same fleet',
      default: '1',
    },
    interval: {
      type: 'string',
      value: 'MS',
      description: 'each agent sends one batch this often, 10 to 600000',
      default: '1000',
    },
    'extra-series': {
      type: 'string',
      value: 'N',
      description: 'extra synthetic series per batch, for load tests, 0 to 1000',
      default: '0',
    },
    'filling-disks': {
      type: 'string',
      value: 'N',
      description:
        'one agent in N has a disk filling about 0.9 %/h up to 99 % (the capacity forecasts), 0 for none',
      default: '8',
    },
    'no-incidents': { type: 'boolean', description: 'no scripted cpu spike, dead agent, outage' },
    'auth-noise': {
      type: 'boolean',
      description:
        'also send light background authentication events (logins, a typo, sudo), as the real agent parses them',
    },
    duration: {
      type: 'string',
      value: 'S',
      description: 'stop after S seconds; 0 runs until stopped',
      default: '0',
    },
    attack: {
      type: 'string',
      value: 'LIST',
      description:
        'security scenarios to play once each, from +30 s, 10 s apart: brute-force, spray, distributed, sudoers, port, travel (comma-separated), or all',
    },
  },
  notes: [
    'incidents: +20 s cpu spike on agent 0, +40 s agent 1 dies, +60 s ap-northeast-1 loses 75 % of its agents (back at +120 s)',
    "attacks (docs/security.md#simulated-attacks): events with the real agent's shapes, each sized to trip its built-in detection",
  ],
} as const satisfies CommandSpec;

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
