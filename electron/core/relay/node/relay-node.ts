// `meridian relay`: a headless collector in a region. Its agents connect to it with the normal
// protocol (the console's own ingest server, fed by RelayIngestHandler); it judges their
// liveness itself (a Fleet of its own), keeps every acked batch in a durable queue, and
// forwards the queue to the central console over one compressed link (UpstreamLink). Its
// state dir holds: agent-token (its agents' secret), agents.ndjson (its registry), queue/ and
// upstream.pos (the store-and-forward queue and the console-acked cursor), relay-key.json (its
// own key at the console, 0600) and tls/ (its private CA, when it serves wss://).
import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { FileCredentialStore } from '../../../../agent/credential-file.js';
import { UplinkAuth } from '../../../../agent/uplink-auth.js';
import type { Agent } from '../../../../shared/model.js';
import { PROTOCOL_VERSION } from '../../../../shared/protocol.js';
import type { RelayAgentEntry } from '../../../../shared/relay-protocol.js';
import type { Clock } from '../../clock.js';
import { checkIngestTransport, loadTls } from '../../credentials/credentials-wiring.js';
import type { TlsMaterial } from '../../credentials/tls-material.js';
import { CoreEvents } from '../../events.js';
import { Fleet } from '../../fleet/fleet.js';
import { randomIds } from '../../ids.js';
import type { Admission } from '../../ingest/admission.js';
import type { IngestCredentials } from '../../ingest/ingest-auth.js';
import { IngestServer } from '../../ingest/server.js';
import { loadOrCreateAgentToken, tokensEqual } from '../../ingest/tokens.js';
import type { Logger } from '../../logger.js';
import { createCoreMetrics } from '../../metrics.js';
import { readOpenFilesLimit } from '../../net/fd-limit.js';
import { deriveNetLimits } from '../../net/limits.js';
import { CursorFile } from '../../queue/cursor-file.js';
import { DEFAULT_QUEUE_OPTIONS } from '../../queue/segment-queue.js';
import { AgentLog } from '../../state/agent-log.js';
import { VERSION } from '../../version.js';
import { deliverRelayAction } from './relay-actions.js';
import { RelayIngestHandler } from './relay-handler.js';
import { RelayQueue } from './relay-queue.js';
import { DEFAULT_UPSTREAM, UpstreamLink, type UpstreamOptions } from './upstream-link.js';

export const RELAY_KEY_FILE = 'relay-key.json';

export interface RelayConfig {
  stateDir: string;
  /** The central console's ingest URL. */
  upstream: string;
  /** The console's enrolment secret (used once, for the relay's own key). */
  upstreamToken: string;
  caFingerprint: string | null;
  name: string;
  region: string;
  /** Where the relay's agents connect. */
  listenHost: string;
  listenPort: number;
  /** The relay's agents' secret; null: <state-dir>/agent-token, created on first run. */
  agentToken: string | null;
  ingestTls: 'auto' | 'off' | { cert: string; key: string };
  insecureIngest: boolean;
  heartbeatIntervalMs: number;
  missedHeartbeatsBeforeOffline: number;
  pingIntervalMs: number;
  queueMaxBytes: number;
  upstreamOptions?: Partial<Omit<UpstreamOptions, 'url'>>;
}

export function defaultRelayConfig(
  c: Pick<RelayConfig, 'stateDir' | 'upstream' | 'upstreamToken' | 'region'> & Partial<RelayConfig>,
): RelayConfig {
  return {
    caFingerprint: null,
    name: hostname().replace(/[^A-Za-z0-9_.-]/g, '-') || 'relay',
    listenHost: '127.0.0.1',
    listenPort: 4781,
    agentToken: null,
    ingestTls: 'auto',
    insecureIngest: false,
    heartbeatIntervalMs: 1_000,
    missedHeartbeatsBeforeOffline: 3,
    pingIntervalMs: 10_000,
    queueMaxBytes: DEFAULT_QUEUE_OPTIONS.maxBytes,
    ...c,
  };
}

export interface RelayAddresses {
  port: number;
  ingestUrl: string;
  agentToken: string;
  caFingerprint: string | null;
}

/** The relay's agents present its secret; it issues no keys of its own. */
function relayCredentials(secret: string): IngestCredentials {
  return {
    authenticate: (token) =>
      tokensEqual(token, secret) ? { kind: 'enrolment' } : { kind: 'refused', reason: 'unknown' },
    enrolled: () => false,
    issue: () => Promise.resolve(null),
    used: () => {},
    legacyHello: () => {},
  };
}

/** An agent as the relay reports it upstream, with the actions its hello offered. */
export function agentEntry(agent: Agent, offered?: readonly string[]): RelayAgentEntry {
  return {
    hello: {
      type: 'hello',
      protocol: PROTOCOL_VERSION,
      hostname: agent.hostname,
      region: agent.regionId,
      agentType: agent.type,
      version: agent.version,
      agentId: agent.id,
      ipAddress: agent.ipAddress.slice(0, 45),
      labels: agent.labels,
      ...(offered ? { capabilities: { actions: [...offered] } } : {}),
    },
    online: agent.status === 'online',
    lastSeen: agent.lastHeartbeat,
    address: agent.ipAddress.slice(0, 64),
  };
}

export class RelayNode {
  readonly events = new CoreEvents();
  readonly fleet: Fleet;
  readonly queue: RelayQueue;
  readonly upstream: UpstreamLink;
  readonly counters = {
    ...{ samplesIn: 0, eventsIn: 0, dropped: 0 },
    ...{ actionResults: 0, actionsDelivered: 0, actionsRefused: 0 },
  };
  /** Each agent's offered actions, from its last hello (kept in memory: it says so again). */
  private readonly offered = new Map<string, readonly string[]>();
  private readonly registry: AgentLog;
  private readonly cursor: CursorFile;
  private ingest: IngestServer | null = null;
  private readonly bootId = randomUUID();
  private readonly startedAt: number;
  private writeFailedAt: number | null = null;
  private readonly fatalHandlers: ((message: string) => void)[] = [];
  tls: TlsMaterial | null = null;

  constructor(
    readonly config: RelayConfig,
    private readonly deps: { clock: Clock; logger: Logger; random?: () => number },
  ) {
    const { clock, logger } = deps;
    this.startedAt = clock.now();
    this.fleet = new Fleet(
      { clock, ids: randomIds, events: this.events },
      {
        heartbeatIntervalMs: config.heartbeatIntervalMs,
        missedHeartbeatsBeforeOffline: config.missedHeartbeatsBeforeOffline,
        // The console knows the regions and refuses what it does not (reported back).
        allowUnknownRegions: true,
        restartGraceMs: 40_000,
        maxAgents: 100_000,
      },
      [],
    );
    this.registry = new AgentLog(
      config.stateDir,
      { clock, logger, lookup: (id) => this.fleet.agent(id) },
      { debounceMs: 1_000 },
    );
    this.queue = new RelayQueue(join(config.stateDir, 'queue'), logger, {
      ...DEFAULT_QUEUE_OPTIONS,
      maxBytes: config.queueMaxBytes,
    });
    this.queue.onDrop = (_seq, index) => {
      this.counters.dropped += index.samples;
    };
    this.cursor = new CursorFile(join(config.stateDir, 'upstream.pos'));
    const credentials = new FileCredentialStore(config.stateDir, config.upstream, RELAY_KEY_FILE);
    const auth = new UplinkAuth({
      url: config.upstream,
      token: config.upstreamToken,
      credentials,
      ...(config.caFingerprint ? { caFingerprint: config.caFingerprint } : {}),
    });
    this.upstream = new UpstreamLink(
      {
        clock,
        logger,
        queue: this.queue,
        cursor: this.cursor,
        auth,
        credentials,
        random: deps.random ?? Math.random,
        hello: () => ({
          name: config.name,
          region: config.region,
          version: VERSION,
          bootId: this.bootId,
          startedAt: this.startedAt,
          actions: true,
        }),
        agents: () => this.fleet.listAgents().map((a) => this.entry(a)),
        status: () => ({
          agentsConnected: this.ingest?.connectedCount ?? 0,
          samplesIn: this.counters.samplesIn,
        }),
        dropped: () => this.counters.dropped,
        onFatal: (message) => this.fatalHandlers.forEach((fn) => fn(message)),
        onAction: (msg) =>
          deliverRelayAction(
            {
              relayName: config.name,
              known: (id) => this.fleet.agent(id) !== undefined,
              send: (id, action) => this.ingest?.sendAction(id, action) ?? false,
              reply: (answer) => this.upstream.sendText(answer),
              counters: this.counters,
            },
            msg,
          ),
      },
      { ...DEFAULT_UPSTREAM, ...config.upstreamOptions, url: config.upstream },
    );
    this.events.on('agent.changed', ({ agent }) => {
      this.registry.statusChanged(agent.id);
      // Built once the hello that caused it has noted the agent's offer (a new agent's id is
      // only known after the fleet has registered it, which is what fires this).
      queueMicrotask(() => this.upstream.agentChanged(this.entry(agent)));
    });
  }

  async start(): Promise<RelayAddresses> {
    const { config } = this;
    checkIngestTransport({
      ingestHost: config.listenHost,
      ingestTls: config.ingestTls,
      insecureIngest: config.insecureIngest,
    });
    await mkdir(config.stateDir, { recursive: true, mode: 0o700 });
    const agentToken = await loadOrCreateAgentToken(
      config.stateDir,
      config.agentToken ?? undefined,
    );
    this.tls = await loadTls(
      { dataDir: config.stateDir, ingestHost: config.listenHost, ingestTls: config.ingestTls },
      this.deps.clock,
    );
    const { agents } = await this.registry.open();
    this.fleet.load([], agents);
    await this.queue.open();
    const handler = new RelayIngestHandler(
      {
        fleet: this.fleet,
        registry: this.registry,
        enqueue: (entry) =>
          this.queue.enqueue(entry).catch((err: Error) => {
            this.writeFailedAt = this.deps.clock.monotonic();
            throw err;
          }),
        admission: () => this.admission(),
        counters: this.counters,
        offered: this.offered,
      },
      config.heartbeatIntervalMs,
    );
    this.ingest = new IngestServer(
      { clock: this.deps.clock, logger: this.deps.logger, metrics: createCoreMetrics(), handler },
      {
        host: config.listenHost,
        port: config.listenPort,
        credentials: relayCredentials(agentToken),
        tls: this.tls,
        pingIntervalMs: config.pingIntervalMs,
        maxSendBufferBytes: 1024 * 1024,
        limits: deriveNetLimits(readOpenFilesLimit(), {}),
      },
    );
    const port = await this.ingest.start();
    this.fleet.start();
    await this.upstream.start();
    const host = config.listenHost.includes(':') ? `[${config.listenHost}]` : config.listenHost;
    return {
      port,
      ingestUrl: `${this.tls ? 'wss' : 'ws'}://${host}:${port}`,
      agentToken,
      caFingerprint: this.tls?.fingerprint ?? null,
    };
  }

  private entry(agent: Agent): RelayAgentEntry {
    return agentEntry(agent, this.offered.get(agent.id));
  }

  /** The console refused this relay for good (its key revoked, or not a relay's). */
  onFatal(fn: (message: string) => void): void {
    this.fatalHandlers.push(fn);
  }

  /** Closed for 5 s after a failed queue write: agents keep their batches and resend. */
  private admission(): Admission {
    const failed = this.writeFailedAt;
    if (failed === null || this.deps.clock.monotonic() - failed > 5_000) return { open: true };
    return {
      open: false,
      reason: 'write_failed',
      retryAfterMs: 5_000,
      message: "the relay's queue write failed",
    };
  }

  async stop(): Promise<void> {
    this.fleet.stop();
    await this.ingest?.stop();
    await this.upstream.stop();
    await Promise.all([this.registry.close(), this.queue.close(), this.cursor.close()]);
  }
}
