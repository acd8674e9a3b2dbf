import { Counter, Gauge, type Registry } from 'prom-client';

/** The console's figures about its relays, on its /metrics. */
export function createRelayMetrics(registry: Registry) {
  const sources = { states: (): Record<string, number> => ({}) };
  return {
    relays: Object.assign(
      new Gauge({
        name: 'meridian_relays',
        help: 'Known regional relays, by link state (connected, cut_off: the link went silent, down: the relay closed it).',
        labelNames: ['state'],
        registers: [registry],
        collect() {
          for (const [state, n] of Object.entries(sources.states())) this.set({ state }, n);
        },
      }),
      { sources },
    ),
    connects: new Counter({
      name: 'meridian_relay_connects_total',
      help: 'Relay links established (connect: first or after a clean state; reconnect: ending an outage).',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    linkLost: new Counter({
      name: 'meridian_relay_link_lost_total',
      help: 'Relay links lost, by how (cut_off: silence; down: closed by the relay side).',
      labelNames: ['how'],
      registers: [registry],
    }),
    batches: new Counter({
      name: 'meridian_relay_batches_total',
      help: 'Relay batches by outcome (acked, paused: ingest paused, write_failed).',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    bytesReceived: new Counter({
      name: 'meridian_relay_received_bytes_total',
      help: 'Compressed batch bytes received from relays (the WAN cost).',
      registers: [registry],
    }),
    agentsRefused: new Counter({
      name: 'meridian_relay_agents_refused_total',
      help: 'Agents in relay registrations the console refused (own key, unknown region, registry full).',
      registers: [registry],
    }),
    framesRejected: new Counter({
      name: 'meridian_relay_frames_rejected_total',
      help: 'Relay link frames refused (the link is closed), by reason.',
      labelNames: ['reason'],
      registers: [registry],
    }),
    actions: new Counter({
      name: 'meridian_relay_actions_total',
      help: 'Recovery actions for relayed agents: sent down a relay link, refused by the relay (agent not connected to it, unknown to it), or answered for an agent not behind that relay (ignored).',
      labelNames: ['outcome'],
      registers: [registry],
    }),
  };
}

export type RelayMetrics = ReturnType<typeof createRelayMetrics>;
