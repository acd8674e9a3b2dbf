// `meridian relay`'s flags (kept beside specs.ts, which lists it in COMMANDS).
import { LOG_FORMAT_FLAG } from './common-flags.js';
import type { CommandSpec } from './specs.js';

export const RELAY = {
  name: 'relay',
  summary:
    "a regional collector: the region's agents connect to it, it forwards their data to the central console (docs/scale-out.md)",
  synopsis: '--upstream wss://CENTRAL:4781 --region R [options]',
  flags: {
    upstream: {
      type: 'string',
      value: 'URL',
      description: "the central console's ingest URL, ws:// or wss://",
      required: true,
    },
    token: {
      type: 'string',
      value: 'T',
      description:
        "the central console's enrolment secret; used once, to obtain the relay's own key (kept in <state-dir>/relay-key.json)",
      default: '$MERIDIAN_RELAY_TOKEN; needed until the relay has a key',
    },
    'ca-fingerprint': {
      type: 'string',
      value: 'sha256:HEX',
      description: "trust the central console's wss:// certificate only with this CA",
    },
    region: {
      type: 'string',
      value: 'R',
      description: 'the region this relay collects',
      required: true,
    },
    name: {
      type: 'string',
      value: 'N',
      description: 'how the console names this relay',
      default: "this host's name",
    },
    'state-dir': {
      type: 'string',
      value: 'DIR',
      description: "the relay's directory: its queue, agent registry, keys and TLS material",
      default: '$MERIDIAN_RELAY_STATE_DIR or ~/.meridian/relay',
    },
    'listen-host': {
      type: 'string',
      value: 'HOST',
      description:
        "address the relay's agents connect to; a non-loopback one is served over TLS (or needs --insecure-ingest)",
      default: '127.0.0.1',
    },
    'listen-port': {
      type: 'string',
      value: 'N',
      description: "port the relay's agents connect to; 0 picks a free one",
      default: '4781',
    },
    'agent-token': {
      type: 'string',
      value: 'T',
      description: "the secret the relay's agents present",
      default: '$MERIDIAN_AGENT_TOKEN, else <state-dir>/agent-token, created on first run',
    },
    'ingest-tls': {
      type: 'string',
      value: 'auto|off|CERT,KEY',
      description:
        "TLS for the relay's agents: auto (a private CA in <state-dir>/tls/), off, or your own PEM files",
      default: 'auto',
    },
    'insecure-ingest': {
      type: 'boolean',
      description: 'allow plain ws:// on a non-loopback --listen-host',
    },
    'queue-max-bytes': {
      type: 'string',
      value: 'N',
      description:
        'the queue held during an upstream outage, at most; past it the oldest data goes (counted)',
      default: '2147483648',
    },
    'log-format': LOG_FORMAT_FLAG,
  },
  notes: ['exit codes: 0 stopped by SIGINT/SIGTERM, 1 could not start, 2 bad command line'],
} as const satisfies CommandSpec;
