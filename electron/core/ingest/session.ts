import type { WebSocket } from 'ws';
import {
  CLOSE,
  ERROR_CODES,
  type ActionMessage,
  type ActionResultMessage,
  type ConsoleMessage,
  type EventsMessage,
  type FactsMessage,
  type HelloMessage,
  type MetricsMessage,
} from '../../../shared/protocol.js';
import type { Clock } from '../clock.js';
import type { Agent } from '../../../shared/model.js';
import type { CoreMetrics } from '../metrics.js';
import type { Admission } from './admission.js';
import { identityProblem } from './identity.js';
import type { IngestAuth, IngestCredentials } from './ingest-auth.js';
import { closeReason, parseAgentFrame, type CloseSpec } from './frames.js';

/**
 * A hello's outcome. `durable` resolves once the agent's registry record is on disk: the
 * welcome and every ack wait for it, so data acked to a new agent never outlives its agent
 * in a crash.
 */
export type HelloResult =
  | { ok: true; agent: Agent; connectionId: number; durable: Promise<void> }
  | { ok: false; reason: 'unknown_region' | 'agent_limit'; message: string };

/** What the core does with what agents send. The ingest layer knows nothing else of it. */
export interface IngestHandler {
  /** `boundId`: the agent id the connection's key is bound to (key-authenticated only). */
  hello(hello: HelloMessage, remoteAddress: string, boundId?: string): HelloResult;
  /** The registered agent a hello would connect as (by its id or host), or null. */
  knownAgentId(hello: HelloMessage): string | null;
  heartbeat(agentId: string): void;
  /** Whether batches are taken now (closed while the disk refuses writes or lags behind). */
  admission(): Admission;
  /**
   * Store a batch. Each of `problems` is sent back as an `error` (the batch is still acked:
   * resending cannot help those samples); the ack waits for `durable`, so an acked batch
   * survives a crash.
   */
  metrics(
    agentId: string,
    msg: MetricsMessage,
    arrivedAt: number,
    arrivedMono: number,
  ): { problems: { code: string; message: string }[]; durable: Promise<void> };
  /** Store events; resolves once they are durable (the ack waits for it). */
  events(agentId: string, msg: EventsMessage, arrivedAt: number): Promise<void>;
  /**
   * An action's outcome: recorded by the recovery service. Resolves once it is durable; then
   * the agent is sent `action_ack` and may forget it. Every well-formed result is acked, even
   * one the console does not know (counted), so the agent stops resending it.
   */
  actionResult(agentId: string, msg: ActionResultMessage): Promise<void>;
  /**
   * Posture facts (protocol 2): kept by the compliance side. Not acked: an agent sends its
   * full set again on every connect.
   */
  facts(agentId: string, msg: FactsMessage): Promise<void>;
  closed(agentId: string, connectionId: number, status: 'offline' | 'error'): void;
  heartbeatIntervalMs: number;
}

export interface SessionOptions {
  maxSendBufferBytes: number;
}

/** One agent connection: hello first, then heartbeats, batches and events. */
export class AgentSession {
  agentId: string | null = null;
  private connectionId = 0;
  alive = true;
  private closedFor: 'offline' | 'error' = 'offline';
  /**
   * Set the moment this session decides to close. ws keeps emitting frames that were already
   * read (a burst arrives in one chunk), so without this a batch behind a bad frame was stored
   * but never acked, and each later frame counted its own rejection.
   */
  private closing = false;
  /** Resolves once this agent's registry record is durable; nothing is acked before. */
  private registered: Promise<void> = Promise.resolve();
  /**
   * The key this connection speaks with: the one it authenticated with, or the one it was
   * issued on enrolment (a revocation closes either).
   */
  keyId: string | null = null;
  /** The actions this connection's hello offered (capabilities.actions). */
  offeredActions: readonly string[] = [];

  constructor(
    private readonly ws: WebSocket,
    private readonly remoteAddress: string,
    /** How the upgrade authenticated: an agent key bound to one id, or the enrolment secret. */
    readonly auth: IngestAuth,
    private readonly deps: {
      clock: Clock;
      metrics: CoreMetrics;
      handler: IngestHandler;
      credentials: IngestCredentials;
    },
    private readonly opts: SessionOptions,
    private readonly onRegistered: (session: AgentSession) => void,
  ) {
    ws.on('message', (data, isBinary) => this.onFrame(data as Buffer, isBinary));
    ws.on('pong', () => (this.alive = true));
    ws.on('close', () => {
      if (this.agentId) this.deps.handler.closed(this.agentId, this.connectionId, this.closedFor);
    });
    ws.on('error', (err) => {
      // ws reports an oversized frame as an error and closes with 1009.
      if (this.closing) return;
      if ((err as { code?: string }).code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
        this.closing = true;
        this.deps.metrics.framesRejected.inc({ reason: CLOSE.tooBig.reason });
        this.closedFor = 'error';
      }
    });
  }

  /** Close with a code and reason, counting it. `error` marks the agent as errored, not offline. */
  close(spec: CloseSpec, detail: string, asError = true): void {
    if (this.closing) return;
    this.closing = true;
    this.deps.metrics.framesRejected.inc({ reason: spec.reason });
    if (asError) this.closedFor = 'error';
    this.ws.close(spec.code, closeReason(spec, detail));
  }

  /** Close without counting a rejection (shutdown, replacement). */
  end(spec: CloseSpec, detail: string): void {
    if (this.closing) return;
    this.closing = true;
    this.ws.close(spec.code, closeReason(spec, detail));
  }

  terminate(): void {
    this.closing = true;
    this.ws.terminate();
  }

  ping(): void {
    this.alive = false;
    this.ws.ping();
  }

  /** Send an action on this connection; false when it is closing or closed. */
  sendAction(msg: ActionMessage): boolean {
    if (this.closing || this.ws.readyState !== this.ws.OPEN) return false;
    this.send(msg);
    return true;
  }

  private send(msg: ConsoleMessage): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    this.ws.send(JSON.stringify(msg));
    // A peer that does not read makes our buffer grow: drop it rather than hold it all.
    if (this.ws.bufferedAmount > this.opts.maxSendBufferBytes) {
      this.close(
        CLOSE.slowConsumer,
        `send buffer over ${this.opts.maxSendBufferBytes} bytes`,
        false,
      );
      this.ws.terminate();
    }
  }

  private onFrame(data: Buffer, isBinary: boolean): void {
    // Once closing, nothing more is stored, evaluated or counted from this connection.
    if (this.closing) return;
    const arrivedMono = this.deps.clock.monotonic();
    const arrivedAt = this.deps.clock.now();
    if (isBinary) return this.close(CLOSE.binaryFrame, 'frames are JSON text');
    const result = parseAgentFrame(data.toString('utf8'));
    if (!result.ok) return this.close(result.close, result.detail);
    const msg = result.message;
    this.deps.metrics.framesReceived.inc({ type: msg.type });
    if (msg.type === 'hello') return this.onHello(msg);
    if (!this.agentId) return this.close(CLOSE.helloFirst, `'${msg.type}' before 'hello'`);
    switch (msg.type) {
      case 'heartbeat':
        return this.deps.handler.heartbeat(this.agentId);
      case 'metrics': {
        const admission = this.deps.handler.admission();
        if (!admission.open) return this.defer(msg.seq, admission);
        const { problems, durable } = this.deps.handler.metrics(
          this.agentId,
          msg,
          arrivedAt,
          arrivedMono,
        );
        for (const p of problems)
          this.send({ type: 'error', code: p.code, message: p.message, seq: msg.seq });
        // Not acked when the write fails: the agent is told to keep the batch and resend it.
        durable.then(
          () => this.afterRegistered(() => this.send({ type: 'ack', seq: msg.seq })),
          () => this.defer(msg.seq, this.deps.handler.admission()),
        );
        return;
      }
      case 'action_result':
        // Acked only once recorded: until then the agent keeps it and resends it on reconnect.
        void this.deps.handler.actionResult(this.agentId, msg).then(
          () => this.afterRegistered(() => this.send({ type: 'action_ack', id: msg.id })),
          () => {},
        );
        return;
      case 'facts':
        void this.deps.handler.facts(this.agentId, msg).catch(() => {});
        return;
      case 'events':
        return this.storeEvents(this.agentId, msg, arrivedAt);
    }
  }

  /**
   * Store, then ack once durable. The callbacks hold the batch's seq only, not the message: a
   * batch's thousands of event objects would otherwise live until the fsync.
   */
  private storeEvents(agentId: string, msg: EventsMessage, arrivedAt: number): void {
    const admission = this.deps.handler.admission();
    const seq = msg.seq;
    if (!admission.open) return this.defer(seq, admission);
    // Not acked when the write fails: the agent keeps the batch and resends it.
    void this.deps.handler.events(agentId, msg, arrivedAt).then(
      () => this.afterRegistered(() => this.send({ type: 'ack', seq })),
      () => this.defer(seq, this.deps.handler.admission()),
    );
  }

  /** Not stored, not acked: the agent keeps the batch, waits, and resends it. */
  private defer(seq: number, admission: Admission): void {
    const closed = admission.open
      ? { reason: 'write_failed' as const, retryAfterMs: 1_000, message: 'the write failed' }
      : admission;
    this.deps.metrics.batchesDeferred.inc({ reason: closed.reason });
    this.send({
      type: 'error',
      code: ERROR_CODES.ingestPaused,
      message: `${closed.reason}: ${closed.message}`,
      seq,
      retryAfterMs: closed.retryAfterMs,
    });
  }

  private onHello(hello: HelloMessage): void {
    if (this.agentId) return this.close(CLOSE.duplicateHello, 'hello was already sent');
    const { auth } = this;
    const creds = this.deps.credentials;
    const problem = identityProblem(auth, hello, this.deps.handler.knownAgentId(hello), creds);
    if (problem) return this.close(CLOSE.agentIdMismatch, problem, false);
    const boundId = auth.kind === 'key' ? auth.agentId : undefined;
    const result = this.deps.handler.hello(hello, this.remoteAddress, boundId);
    if (!result.ok) {
      const spec = result.reason === 'agent_limit' ? CLOSE.agentLimit : CLOSE.unknownRegion;
      return this.close(spec, result.message, false);
    }
    const agentId = result.agent.id;
    this.agentId = agentId;
    this.connectionId = result.connectionId;
    this.offeredActions = hello.capabilities?.actions ?? [];
    this.onRegistered(this);
    if (auth.kind === 'key') {
      this.keyId = auth.keyId;
      creds.used(auth.keyId);
    } else if (hello.protocol < 2) creds.legacyHello(agentId);
    // Enrolment: the agent's own key, durable before the welcome hands it out.
    const enrol = auth.kind === 'enrolment' && hello.protocol >= 2;
    const welcomed = result.durable
      .then(() => (enrol ? creds.issue(agentId) : undefined))
      .then((credential) => {
        if (credential) this.keyId = credential.keyId;
        this.send({
          type: 'welcome',
          protocol: hello.protocol,
          agentId,
          heartbeatIntervalMs: this.deps.handler.heartbeatIntervalMs,
          serverTime: this.deps.clock.now(),
          ...(credential ? { credential } : {}),
        });
      });
    // Acks wait for the welcome: an agent must know who it is before it drops a batch.
    this.registered = welcomed;
    welcomed.catch((err: Error) =>
      this.close(CLOSE.registryFailed, `registration not saved: ${err.message}`, false),
    );
  }

  private afterRegistered(fn: () => void): void {
    this.registered.then(fn, () => {});
  }
}
