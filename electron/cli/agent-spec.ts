// `meridian agent`'s flags: the host agent's console link, collection intervals, scrape targets,
// actions and security sources (kept beside specs.ts, which lists it in COMMANDS). The interval
// and scrape bounds come from the agent's own modules, so the help text states what it enforces.
import { DEFAULT_INTERVALS, INTERVAL_BOUNDS } from '../../agent/intervals.js';
import { DEFAULT_SCRAPE_MAX_SERIES, MAX_SCRAPE_SERIES } from '../../agent/scrape/limits.js';
import type { CommandSpec } from './specs.js';

const INTERVAL_RANGE = `${INTERVAL_BOUNDS.min} to ${INTERVAL_BOUNDS.max}`;

const AGENT_TYPES_TEXT = 'system, application, database or network';

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
