import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { createRemoteWriteMetrics } from './remote-write/remote-write-metrics.js';

/** The console's own figures, served at /metrics in Prometheus text format. One registry per core. */
export function createCoreMetrics() {
  const registry = new Registry();
  /** Read at scrape time; the core points these at its parts once they exist. */
  const sources = {
    tsdbSeries: () => 0,
    agentsRegistered: () => 0,
    ingestPaused: () => false,
    walQueuedBytes: () => 0,
    diskFreeBytes: (): number | null => null,
  };
  collectDefaultMetrics({ register: registry, prefix: 'meridian_process_' });
  return {
    registry,
    agentsConnected: new Gauge({
      name: 'meridian_agents_connected',
      help: 'Agent WebSocket connections open now.',
      registers: [registry],
    }),
    agentsOnline: new Gauge({
      name: 'meridian_agents_online',
      help: 'Registered agents whose status is online.',
      registers: [registry],
    }),
    samplesReceived: new Counter({
      name: 'meridian_samples_received_total',
      help: 'Metric samples accepted from agents.',
      registers: [registry],
    }),
    samplesDropped: new Counter({
      name: 'meridian_samples_dropped_total',
      help: 'Metric samples refused, by reason.',
      labelNames: ['reason'],
      registers: [registry],
    }),
    samplesLate: new Counter({
      name: 'meridian_samples_late_total',
      help: 'Samples older than their series newest, stored in place (within the out-of-order window).',
      registers: [registry],
    }),
    batchesDeferred: new Counter({
      name: 'meridian_batches_deferred_total',
      help: 'Agent batches answered ingest_paused (not stored, not acked: the agent resends), by reason.',
      labelNames: ['reason'],
      registers: [registry],
    }),
    ingestPaused: new Gauge({
      name: 'meridian_ingest_paused',
      help: '1 while ingest takes no batches because the data disk refuses writes.',
      registers: [registry],
      collect() {
        this.set(sources.ingestPaused() ? 1 : 0);
      },
    }),
    walQueuedBytes: new Gauge({
      name: 'meridian_wal_queued_bytes',
      help: 'Bytes accepted and waiting for the WAL (ingest pauses above its bound).',
      registers: [registry],
      collect() {
        this.set(sources.walQueuedBytes());
      },
    }),
    diskFreeBytes: new Gauge({
      name: 'meridian_disk_free_bytes',
      help: 'Free bytes on the filesystem of the data dir, at the last check.',
      registers: [registry],
      collect() {
        const free = sources.diskFreeBytes();
        if (free !== null) this.set(free);
      },
    }),
    framesReceived: new Counter({
      name: 'meridian_frames_received_total',
      help: 'Valid agent frames, by message type.',
      labelNames: ['type'],
      registers: [registry],
    }),
    framesRejected: new Counter({
      name: 'meridian_frames_rejected_total',
      help: 'Agent frames and connections refused, by reason.',
      labelNames: ['reason'],
      registers: [registry],
    }),
    httpRejected: new Counter({
      name: 'meridian_api_requests_rejected_total',
      help: 'API requests refused, by reason.',
      labelNames: ['reason'],
      registers: [registry],
    }),
    connectionsRefused: new Counter({
      name: 'meridian_connections_refused_total',
      help: 'Connections refused or cut before or at their handshake (caps, handshake timeout, token guessing), by port and reason.',
      labelNames: ['port', 'reason'],
      registers: [registry],
    }),
    connectionsOpen: new Gauge({
      name: 'meridian_connections_open',
      help: 'Open connections, by port and state (handshake: not yet upgraded / no request yet; established).',
      labelNames: ['port', 'state'],
      registers: [registry],
    }),
    connectionLimit: new Gauge({
      name: 'meridian_connection_limit',
      help: 'The connection caps in force (derived from the open-files limit unless configured), by port and kind.',
      labelNames: ['port', 'kind'],
      registers: [registry],
    }),
    alertsActive: new Gauge({
      name: 'meridian_alerts_active',
      help: 'Open alerts (pending, firing, acknowledged), by severity.',
      labelNames: ['severity'],
      registers: [registry],
    }),
    sampleToAlertSeconds: new Histogram({
      name: 'meridian_sample_to_alert_seconds',
      help: 'From a triggering sample reaching the console to its alert being raised.',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers: [registry],
    }),
    walReplayCorruptLines: new Gauge({
      name: 'meridian_wal_replay_corrupt_lines',
      help: 'WAL lines with a bad checksum or content skipped at the last start (damage on disk; raised as an alert).',
      registers: [registry],
    }),
    walReplayTornLines: new Gauge({
      name: 'meridian_wal_replay_torn_lines',
      help: 'Torn last WAL lines skipped at the last start (a write cut short by a crash; never acked).',
      registers: [registry],
    }),
    walReplayMs: new Gauge({
      name: 'meridian_wal_replay_ms',
      help: 'Time the last start spent loading the checkpoint and replaying the WAL.',
      registers: [registry],
    }),
    sources,
    tsdbSeries: new Gauge({
      name: 'meridian_tsdb_series',
      help: 'Series in the metric store head.',
      registers: [registry],
      collect() {
        this.set(sources.tsdbSeries());
      },
    }),
    stateWrites: new Counter({
      name: 'meridian_state_writes_total',
      help: 'Durable writes of state.json.',
      registers: [registry],
    }),
    agentsRegistered: new Gauge({
      name: 'meridian_agents_registered',
      help: 'Agents in the registry (online or not; retired agents are not counted).',
      registers: [registry],
      collect() {
        this.set(sources.agentsRegistered());
      },
    }),
    registryWrites: new Counter({
      name: 'meridian_registry_writes_total',
      help: 'Durable writes of the agent registry (agents.ndjson): appended groups, or whole rewrites (compaction).',
      labelNames: ['kind'],
      registers: [registry],
    }),
    registryReplayCorruptLines: new Gauge({
      name: 'meridian_registry_replay_corrupt_lines',
      help: 'Torn or corrupt agents.ndjson lines skipped at the last start.',
      registers: [registry],
    }),
    remoteWrite: createRemoteWriteMetrics(registry),
  };
}

export type CoreMetrics = ReturnType<typeof createCoreMetrics>;
