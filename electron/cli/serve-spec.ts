// `meridian serve`'s flags: the console core and its HTTP/stream server without Electron (kept
// beside specs.ts, which lists it in COMMANDS and prints it for `--help`).
import { LOG_FORMAT_FLAG } from './common-flags.js';
import type { CommandSpec } from './specs.js';

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
