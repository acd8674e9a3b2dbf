import WebSocket from 'ws';
import type { Clock, TimerHandle } from '../shared/clock.js';
import {
  CLOSE,
  ERROR_CODES,
  FACTS_PROTOCOL_VERSION,
  PROTOCOL_VERSION,
  MAX_FRAME_BYTES,
  MAX_SAMPLES_PER_BATCH,
} from '../shared/protocol-codes.js';
import type {
  AgentEvent,
  ConsoleMessage,
  ErrorMessage,
  HelloMessage,
  Sample,
  WelcomeMessage,
} from '../shared/protocol.js';
import type { CredentialStore } from './credential-file.js';
import { UplinkAuth } from './uplink-auth.js';
import { MAX_FACTS_PER_MESSAGE, type PostureFact } from '../shared/posture.js';
import type { ActionEndpoint } from './actions/endpoint.js';
import { Backoff } from './backoff.js';
import { Outbox, type OutboxBatch } from './outbox.js';
import { isSamplesDroppedCode, judgeClose, pauseMs } from './console-answers.js';
import type { UplinkEvent } from './uplink-events.js';

export type HelloFields = Omit<HelloMessage, 'type' | 'protocol' | 'agentId'>;

export interface UplinkOptions {
  url: string;
  /** The enrolment secret: presented only while the agent has no key of its own. */
  token: string;
  /** Where the agent's own key is kept; none: enrol and keep the key in memory. */
  credentials?: CredentialStore;
  /** `sha256:<hex>`: trust the console's TLS certificate only if its chain holds this CA. */
  caFingerprint?: string;
  hello: HelloFields;
  clock: Clock;
  /** Uniform [0, 1): the jitter source (seeded in the simulator). */
  random: () => number;
  /** Batches kept for resend while unacknowledged; the oldest are dropped past this. */
  maxPendingBatches?: number;
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  /** The wait after 4010 (replaced), 4011 (agent_limit) or 4007 (unknown region); it doubles. */
  longBackoffInitialMs?: number;
  longBackoffMaxMs?: number;
  /** A batch still unacked this long after it was sent is sent again on the same connection. */
  resendAfterMs?: number;
  /** At most this many batches per timer resend round (one round per `resendAfterMs`). */
  maxResendPerRound?: number;
  /** Answers `action` / `action_ack` (agent/actions/); its names go in hello's capabilities. */
  actions?: ActionEndpoint;
  /** Called once when the console refuses us for good (bad token, protocol error). */
  onFatal?: (reason: string) => void;
  onEvent?: (event: UplinkEvent) => void;
}

export interface UplinkStats {
  batchesSent: number;
  batchesAcked: number;
  /** Every send of a batch that had been sent before (reconnect, end of a pause, timer). */
  batchesResent: number;
  /** Of those, resent because no ack came within `resendAfterMs` on a live connection. */
  batchesResentByTimer: number;
  batchesDropped: number;
  connects: number;
  /** `ingest_paused` answers received. */
  pauses: number;
  /** Closes after which the agent waited the long backoff (4007, 4010, 4011). */
  heldOff: number;
  /** Acked batches the console dropped samples from, by error code (out_of_order …). */
  samplesDroppedBatches: Record<string, number>;
  errors: string[];
}

/**
 * An agent's connection to the console: hello/welcome, heartbeats at the interval the
 * console asks for, and store-and-forward of batches — kept until acked; resent, oldest first,
 * after a reconnect, at the end of an `ingest_paused` pause, and when an ack is overdue.
 * Reconnects with exponential backoff and full jitter; after 4010/4011/4007 with a long one.
 */
export class Uplink {
  agentId: string | null = null;
  readonly stats: UplinkStats = {
    batchesSent: 0,
    batchesAcked: 0,
    batchesResent: 0,
    batchesResentByTimer: 0,
    batchesDropped: 0,
    connects: 0,
    pauses: 0,
    heldOff: 0,
    samplesDroppedBatches: {},
    errors: [],
  };
  private ws: WebSocket | null = null;
  private welcomed = false;
  /** The protocol version the console's welcome said (0 before the first welcome). */
  consoleProtocol = 0;
  private readonly welcomeListeners: (() => void)[] = [];
  private welcomedAt: number | null = null;
  private stopped = false;
  private nextSeq = 1;
  private readonly outbox: Outbox;
  private readonly backoff: Backoff;
  private readonly longBackoff: Backoff;
  /** Why the current connection attempt failed, for the retry message. */
  private lastProblem = '';
  private pausedUntil = 0;
  private heartbeatTimer: TimerHandle | null = null;
  private resendTimer: TimerHandle | null = null;
  private retryTimer: TimerHandle | null = null;
  private pauseTimer: TimerHandle | null = null;
  private heartbeatsPaused = false;
  private readonly auth: UplinkAuth;

  constructor(private readonly opts: UplinkOptions) {
    this.auth = new UplinkAuth(opts);
    if (this.auth.credential) this.agentId = this.auth.credential.agentId;
    this.outbox = new Outbox(opts.maxPendingBatches ?? 10_000);
    this.backoff = new Backoff(
      {
        initialMs: opts.backoffInitialMs ?? 500,
        maxMs: opts.backoffMaxMs ?? 30_000,
        jitter: 'full',
      },
      opts.random,
    );
    this.longBackoff = new Backoff(
      {
        initialMs: opts.longBackoffInitialMs ?? 60_000,
        maxMs: opts.longBackoffMaxMs ?? 15 * 60_000,
        jitter: 'around',
      },
      opts.random,
    );
    opts.actions?.attach((result) => this.sendNow(JSON.stringify(result)));
  }

  get connected(): boolean {
    return this.welcomed;
  }

  get pendingCount(): number {
    return this.outbox.size;
  }

  /** True while the console has asked for no batches (`ingest_paused`). */
  get paused(): boolean {
    return this.opts.clock.now() < this.pausedUntil;
  }

  start(): void {
    this.stopped = false;
    // A pause the console asked for outlives a stop/start; its timer did not.
    const pausedFor = this.pausedUntil - this.opts.clock.now();
    if (pausedFor > 0) this.pauseTimer = this.opts.clock.setTimeout(() => this.resume(), pausedFor);
    this.emit({ type: 'connecting', url: this.opts.url });
    this.connect();
  }

  /** Close for good (no reconnect). */
  stop(): void {
    this.halt();
    this.ws?.close(1000, 'agent stopping');
    this.ws = null;
  }

  /** Drop the socket without a close handshake, as a crashed host would (simulator, tests). */
  kill(): void {
    this.halt();
    this.ws?.terminate();
    this.ws = null;
  }

  /** Keep the socket but stop heartbeats (a hung host); resume with `pauseHeartbeats(false)`. */
  pauseHeartbeats(paused = true): void {
    this.heartbeatsPaused = paused;
  }

  /** Queue samples for delivery; a batch too big for one frame is split. Returns the last seq. */
  sendMetrics(samples: Sample[]): number {
    const seq = this.nextSeq++;
    const frame = JSON.stringify({ type: 'metrics', seq, samples });
    if (
      (frame.length > MAX_FRAME_BYTES / 2 || samples.length > MAX_SAMPLES_PER_BATCH) &&
      samples.length > 1
    ) {
      this.nextSeq--;
      const half = Math.ceil(samples.length / 2);
      this.sendMetrics(samples.slice(0, half));
      return this.sendMetrics(samples.slice(half));
    }
    this.enqueue(seq, frame);
    return seq;
  }

  /** Called after every welcome (the first and each reconnect), once queued batches are sent. */
  onWelcomed(listener: () => void): void {
    this.welcomeListeners.push(listener);
  }

  /** Whether the console takes `facts` (its welcome said protocol 2 or later). */
  get takesFacts(): boolean {
    return this.welcomed && this.consoleProtocol >= FACTS_PROTOCOL_VERSION;
  }

  /**
   * Send posture facts now (not queued, not acked: `full` sets are resent on every connect).
   * False when not connected or the console is older than protocol 2.
   */
  sendFacts(facts: readonly PostureFact[], full: boolean): boolean {
    if (!this.takesFacts || facts.length === 0) return false;
    for (let i = 0; i < facts.length; i += MAX_FACTS_PER_MESSAGE) {
      const chunk = facts.slice(i, i + MAX_FACTS_PER_MESSAGE);
      if (!this.sendNow(JSON.stringify({ type: 'facts', full, facts: chunk }))) return false;
    }
    return true;
  }

  sendEvents(events: AgentEvent[]): number {
    const seq = this.nextSeq++;
    this.enqueue(seq, JSON.stringify({ type: 'events', seq, events }));
    return seq;
  }

  private halt(): void {
    this.stopped = true;
    for (const t of [this.retryTimer, this.heartbeatTimer, this.resendTimer, this.pauseTimer])
      t?.cancel();
    this.welcomed = false;
  }

  private enqueue(seq: number, frame: string): void {
    this.stats.batchesDropped += this.outbox.add(seq, frame);
    this.flush();
  }

  /** Send, in seq order, every batch not yet sent on this connection — unless we may not. */
  private flush(): number {
    if (!this.welcomed || this.paused) return 0;
    const batches = this.outbox.unsent();
    this.transmit(batches);
    return batches.length;
  }

  private transmit(batches: OutboxBatch[], byTimer = false): void {
    const now = this.opts.clock.now();
    for (const b of batches) {
      this.ws?.send(b.frame);
      this.outbox.markSent(b.seq, now);
      this.stats.batchesSent++;
      if (b.resend) this.stats.batchesResent++;
      if (byTimer) this.stats.batchesResentByTimer++;
    }
  }

  /** On a live connection, a batch whose ack is overdue goes again (a lost write, a lost ack). */
  private resendOverdue(): void {
    if (!this.welcomed || this.paused) return;
    const after = this.opts.resendAfterMs ?? 15_000;
    const due = this.outbox.overdue(
      this.opts.clock.now() - after,
      this.opts.maxResendPerRound ?? 100,
    );
    this.transmit(due, true);
  }

  /** The key id this agent authenticates with, or null while it has none. */
  get keyId(): string | null {
    return this.auth.credential?.keyId ?? null;
  }

  private connect(): void {
    if (this.stopped) return;
    if (this.auth.needsPin) return void this.resolvePin();
    this.lastProblem = '';
    const ws = new WebSocket(this.opts.url, this.auth.connectOptions());
    this.ws = ws;
    ws.on('open', () => {
      this.stats.connects++;
      const actions = this.opts.actions?.actionNames ?? [];
      const hello: HelloMessage = {
        type: 'hello',
        protocol: PROTOCOL_VERSION,
        ...this.opts.hello,
        ...(this.agentId ? { agentId: this.agentId } : {}),
        ...(actions.length > 0 ? { capabilities: { actions: [...actions] } } : {}),
      };
      ws.send(JSON.stringify(hello));
    });
    ws.on('message', (data) => {
      let msg: ConsoleMessage;
      try {
        msg = JSON.parse(String(data)) as ConsoleMessage;
      } catch {
        return this.note('console sent a frame that is not JSON; ignored');
      }
      this.onMessage(msg);
    });
    ws.on('unexpected-response', (_req, res) => {
      const status = res.statusCode ?? 0;
      // Say why before the socket goes: its close must not read as a plain retry.
      if (status === 401) {
        this.fatal(this.auth.refusedMessage());
      } else if (status === 403) {
        this.fatal('the console refused this client (HTTP 403)');
      } else {
        this.lastProblem = `the console answered HTTP ${status} (is ${this.opts.url} its ingest URL?)`;
      }
      ws.terminate();
    });
    ws.on('error', (err) => {
      this.auth.connectionFailed(err.message);
      this.lastProblem ||= err.message;
      this.note(err.message);
    });
    ws.on('close', (code, reason) => this.onClose(ws, code, reason.toString()));
  }

  private onClose(ws: WebSocket, code: number, reason: string): void {
    if (this.ws !== ws) return;
    const wasWelcomed = this.welcomed;
    this.welcomed = false;
    this.heartbeatTimer?.cancel();
    this.resendTimer?.cancel();
    this.outbox.forgetSent();
    if (this.stopped) return;
    const verdict = judgeClose(code, reason, { wasWelcomed, lastProblem: this.lastProblem });
    if (verdict.kind === 'fatal') return this.fatal(verdict.reason);
    if (code !== CLOSE.shuttingDown.code && code !== 1000 && code !== 1006)
      this.note(`closed ${code} ${reason}`);
    if (verdict.kind === 'held_off') {
      // A connection that held for a long while before this starts the long wait afresh.
      const held =
        wasWelcomed && this.welcomedAt !== null ? this.opts.clock.now() - this.welcomedAt : 0;
      if (held >= (this.opts.longBackoffMaxMs ?? 15 * 60_000)) this.longBackoff.reset();
      const delayMs = this.longBackoff.next();
      this.stats.heldOff++;
      this.emit({ type: 'held_off', code: verdict.code, delayMs, reason });
      return this.retryIn(delayMs);
    }
    const delayMs = this.backoff.next();
    this.emit({ type: 'retrying', delayMs, reason: verdict.problem });
    this.retryIn(delayMs);
  }

  private onMessage(msg: ConsoleMessage): void {
    switch (msg.type) {
      case 'welcome':
        this.keep(msg);
        this.consoleProtocol = typeof msg.protocol === 'number' ? msg.protocol : 1;
        this.onWelcome(msg.agentId, msg.heartbeatIntervalMs);
        return this.opts.actions?.onWelcome(msg.serverTime);
      case 'ack':
        if (this.outbox.ack(msg.seq)) this.stats.batchesAcked++;
        return;
      case 'error':
        return this.onError(msg);
      case 'action':
        return this.opts.actions?.onAction(msg as unknown as Record<string, unknown>);
      case 'action_ack':
        return this.opts.actions?.onActionAck(msg.id);
    }
  }

  /** An enrolment's key: stored before anything else, then used on every connection. */
  private keep(msg: WelcomeMessage): void {
    if (!msg.credential) return;
    const problem = this.auth.keep(msg);
    if (problem) this.note(problem);
    this.emit({ type: 'enrolled', agentId: msg.agentId, keyId: msg.credential.keyId });
  }

  private async resolvePin(): Promise<void> {
    const result = await this.auth.resolvePin();
    if (this.stopped) return;
    if (result.ok) return this.connect();
    if (result.mismatch) return this.fatal(result.message);
    this.lastProblem = result.message;
    const delayMs = this.backoff.next();
    this.emit({ type: 'retrying', delayMs, reason: result.message });
    this.retryIn(delayMs);
  }

  /** A frame outside the batch queue (action results): sent only while welcomed. */
  private sendNow(frame: string): boolean {
    if (!this.welcomed || this.ws?.readyState !== WebSocket.OPEN) return false;
    this.ws.send(frame);
    return true;
  }

  private onWelcome(agentId: string, heartbeatIntervalMs: number): void {
    const reconnect = this.agentId !== null;
    this.agentId = agentId;
    this.welcomed = true;
    this.welcomedAt = this.opts.clock.now();
    this.backoff.reset();
    this.heartbeatTimer?.cancel();
    this.heartbeatTimer = this.opts.clock.setInterval(() => this.heartbeat(), heartbeatIntervalMs);
    this.resendTimer?.cancel();
    const after = this.opts.resendAfterMs ?? 15_000;
    this.resendTimer = this.opts.clock.setInterval(() => this.resendOverdue(), after);
    const resent = this.outbox.unsent().filter((b) => b.resend).length;
    this.emit({ type: 'connected', agentId, reconnect, resent: this.paused ? 0 : resent });
    this.flush();
    for (const listener of this.welcomeListeners) listener();
  }

  private onError(msg: ErrorMessage): void {
    if (msg.code === ERROR_CODES.ingestPaused) return this.pause(msg);
    this.note(`${msg.code}: ${msg.message}`);
    if (isSamplesDroppedCode(msg.code)) {
      const counts = this.stats.samplesDroppedBatches;
      counts[msg.code] = (counts[msg.code] ?? 0) + 1;
      this.emit({
        type: 'samples_dropped',
        code: msg.code,
        message: msg.message,
        seq: msg.seq ?? null,
      });
    } else {
      this.emit({ type: 'console_error', code: msg.code, message: msg.message });
    }
  }

  /**
   * The console could not make batch `seq` durable and did not ack it. Send no batches until
   * the pause is over (heartbeats go on), then every unacked batch again, oldest first.
   */
  private pause(msg: ErrorMessage): void {
    this.stats.pauses++;
    const now = this.opts.clock.now();
    const wait = pauseMs(msg.retryAfterMs);
    const wasPaused = this.paused;
    if (now + wait > this.pausedUntil) {
      this.pausedUntil = now + wait;
      this.pauseTimer?.cancel();
      this.pauseTimer = this.opts.clock.setTimeout(() => this.resume(), wait);
    }
    // Batches in flight behind the refused one may be refused too: all go again, in order.
    this.outbox.forgetSent();
    if (!wasPaused) {
      this.emit({
        type: 'paused',
        retryAfterMs: wait,
        seq: msg.seq ?? null,
        pending: this.outbox.size,
      });
    }
  }

  private resume(): void {
    this.pauseTimer = null;
    this.pausedUntil = 0;
    const resent = this.flush();
    if (this.welcomed) this.emit({ type: 'resumed', resent });
  }

  private heartbeat(): void {
    if (this.heartbeatsPaused || !this.welcomed) return;
    this.ws?.send(JSON.stringify({ type: 'heartbeat', ts: this.opts.clock.now() }));
  }

  private retryIn(delayMs: number): void {
    this.retryTimer = this.opts.clock.setTimeout(() => this.connect(), delayMs);
  }

  private fatal(reason: string): void {
    this.note(reason);
    this.halt();
    this.ws = null;
    this.emit({ type: 'fatal', reason });
    this.opts.onFatal?.(reason);
  }

  private emit(event: UplinkEvent): void {
    this.opts.onEvent?.(event);
  }

  private note(message: string): void {
    this.stats.errors.push(message);
    if (this.stats.errors.length > 20) this.stats.errors.shift();
  }
}
