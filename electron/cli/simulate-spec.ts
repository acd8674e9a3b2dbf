// `meridian simulate`'s flags: the virtual fleet, its scripted incidents and attacks (kept beside
// specs.ts, which lists it in COMMANDS).
import type { CommandSpec } from './specs.js';

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
