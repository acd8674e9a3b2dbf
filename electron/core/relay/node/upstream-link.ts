// A relay's link to the central console: one WebSocket to `<upstream>/relay`. After the
// welcome it sends every agent it knows (`relay_agents`, full), then streams its queue from the
// console-acked cursor: batches of many agents' entries, compressed, a few in flight. The
// cursor (on disk) moves past a batch only once the console has acked it and every batch
// before it, so after a WAN cut, a console restart or a relay crash the queue is resent from
// there; the console stores a resent sample or event once. Pings find a silent link; the
// reconnect backs off with jitter.
import WebSocket from 'ws';
import { CLOSE } from '../../../../shared/protocol.js';
import {
  RELAY_CLOSE,
  MAX_RELAY_FRAME_BYTES,
  RELAY_PATH,
  RELAY_PROTOCOL_VERSION,
  type ConsoleToRelayMessage,
  type RelayAction,
  type RelayAgentEntry,
  type RelayHello,
  type RelayStatus,
} from '../../../../shared/relay-protocol.js';
import { Backoff } from '../../../../agent/backoff.js';
import type { UplinkAuth } from '../../../../agent/uplink-auth.js';
import type { CredentialStore } from '../../../../agent/credential-file.js';
import type { Clock, TimerHandle } from '../../clock.js';
import type { Logger } from '../../logger.js';
import type { CursorFile } from '../../queue/cursor-file.js';
import { comparePositions, samplesAfter, type QueuePosition } from '../../queue/segment-index.js';
import { encodeRelayBatch } from '../codec.js';
import { parseConsoleToRelay } from '../relay-frames.js';
import { AckedPosition } from './acked-position.js';
import type { RelayQueue } from './relay-queue.js';

/** Closes over a frame the console refuses: schema, compression, size. */
const POISON_CLOSES = new Set<number>([
  CLOSE.schema.code,
  RELAY_CLOSE.badCompression.code,
  CLOSE.tooBig.code,
]);

export interface UpstreamDeps {
  clock: Clock;
  logger: Logger;
  queue: RelayQueue;
  cursor: CursorFile;
  auth: UplinkAuth;
  credentials: CredentialStore;
  random: () => number;
  hello(): Omit<RelayHello, 'type' | 'protocol' | 'relayId'>;
  /** Every agent the relay knows, for the full list after a connect. */
  agents(): RelayAgentEntry[];
  status(): Omit<RelayStatus, 'type' | 'ts' | 'queue' | 'bytesSent'>;
  /** Each dropped-by-cap count since start (queue.onDrop). */
  dropped(): number;
  /** The console refused this relay for good (401, 403, 4012, 4013): nothing to retry. */
  onFatal(message: string): void;
  /** An action for one of the relay's agents (relay-actions.ts). */
  onAction(msg: RelayAction): void;
}

export interface UpstreamOptions {
  /** The console's ingest URL, ws:// or wss://. */
  url: string;
  pingIntervalMs: number;
  /** Samples (or events) per batch, at most. */
  batchUnits: number;
  /** Batches sent and not yet acked, at most. */
  maxInFlight: number;
  handshakeTimeoutMs: number;
  backoff: { initialMs: number; maxMs: number };
}

export const DEFAULT_UPSTREAM: Omit<UpstreamOptions, 'url'> = {
  pingIntervalMs: 10_000,
  batchUnits: 2_000,
  maxInFlight: 8,
  handshakeTimeoutMs: 10_000,
  backoff: { initialMs: 500, maxMs: 30_000 },
};

/**
 * Queued bytes in one batch, at most (plus one line, an agent frame). Units alone do not bound
 * a batch's size: events carry up to 36 KiB each, a facts message up to an agent frame and
 * counts one unit, so 5,000 units can be far past what the console takes in a frame
 * (MAX_RELAY_FRAME_BYTES, compressed) or inflates (MAX_RELAY_BATCH_BYTES). It would refuse
 * such a batch, the relay resend it, for ever: the region's data would stop there. Three
 * quarters of the frame cap: even JSON that does not compress fits in one frame.
 */
const BATCH_MAX_BYTES = (MAX_RELAY_FRAME_BYTES * 3) / 4;

export type LinkState = 'connecting' | 'connected' | 'disconnected';

interface InFlight {
  seq: number;
  next: QueuePosition;
  acked: boolean;
}

export interface UpstreamStats {
  connects: number;
  batchesSent: number;
  batchesAcked: number;
  bytesSent: number;
  unitsSent: number;
  damagedLines: number;
  problems: Record<string, number>;
  /** Ack latency of the last batches (send → ack), ms. */
  lastAckMs: number | null;
}

export class UpstreamLink {
  state: LinkState = 'disconnected';
  relayId: string | null;
  readonly stats: UpstreamStats = {
    connects: 0,
    batchesSent: 0,
    batchesAcked: 0,
    bytesSent: 0,
    unitsSent: 0,
    damagedLines: 0,
    problems: {},
    lastAckMs: null,
  };
  private ws: WebSocket | null = null;
  private welcomed = false;
  private stopped = false;
  /** Console-acked position (on disk in `upstream.pos`), and where the next read starts. */
  private readonly acked: AckedPosition;
  private readPos: QueuePosition = { segment: 0, offset: 0 };
  private inflight: InFlight[] = [];
  private sentAt = new Map<number, number>();
  private seq = 0;
  private pausedUntil = 0;
  private pumping = false;
  private pumpAgain = false;
  private readonly pending = new Map<string, RelayAgentEntry>();
  private flushTimer: TimerHandle | null = null;
  private pinger: TimerHandle | null = null;
  private statusTimer: TimerHandle | null = null;
  private retry: TimerHandle | null = null;
  private alive = true;
  private readonly backoff: Backoff;

  constructor(
    private readonly deps: UpstreamDeps,
    private readonly opts: UpstreamOptions,
  ) {
    this.backoff = new Backoff({ ...opts.backoff, jitter: 'full' }, deps.random);
    this.relayId = deps.auth.credential?.agentId ?? null;
    this.acked = new AckedPosition(deps.cursor, deps.queue, deps.logger);
  }

  async start(): Promise<void> {
    this.readPos = await this.acked.load();
    this.deps.queue.onAppended(() => this.pump());
    this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of [this.flushTimer, this.pinger, this.statusTimer, this.retry]) t?.cancel();
    const ws = this.ws;
    if (ws && ws.readyState === ws.OPEN) {
      const closed = new Promise<void>((r) => ws.once('close', () => r()));
      ws.close(1001, 'relay stopping');
      await Promise.race([closed, new Promise((r) => setTimeout(r, 1_000))]);
    }
    ws?.terminate();
    // Wait for a pump cut short mid-read, then leave the cursor where the console acked.
    while (this.pumping) await new Promise((r) => setTimeout(r, 5));
  }

  /** An agent registered or changed liveness: told upstream soon (batched with others). */
  agentChanged(entry: RelayAgentEntry): void {
    this.pending.set(entry.hello.agentId!, entry);
    if (!this.welcomed || this.flushTimer) return;
    this.flushTimer = this.deps.clock.setTimeout(() => this.flushAgents(), 20);
  }

  /** Samples and events not yet acked by the console. */
  get pendingUnits(): number {
    return samplesAfter(this.deps.queue.segments, this.acked.at);
  }

  private connect(): void {
    if (this.stopped) return;
    if (this.deps.auth.needsPin) {
      void this.deps.auth.resolvePin().then((r) => {
        if (this.stopped) return;
        if (r.ok) return this.connect();
        this.deps.logger.error('upstream CA pin failed', { message: r.message });
        this.scheduleReconnect();
      });
      return;
    }
    this.state = 'connecting';
    const base = this.opts.url.replace(/\/+$/, '').replace(/\/ingest$/, '');
    const ws = new WebSocket(`${base}${RELAY_PATH}`, {
      ...this.deps.auth.connectOptions(),
      handshakeTimeout: this.opts.handshakeTimeoutMs,
      perMessageDeflate: false,
    });
    this.ws = ws;
    ws.on('open', () => {
      this.stats.connects++;
      this.alive = true;
      const hello: RelayHello = {
        type: 'relay_hello',
        protocol: RELAY_PROTOCOL_VERSION,
        ...(this.relayId ? { relayId: this.relayId } : {}),
        ...this.deps.hello(),
      };
      ws.send(JSON.stringify(hello));
      this.pinger = this.deps.clock.setInterval(() => this.ping(ws), this.opts.pingIntervalMs);
    });
    ws.on('pong', () => (this.alive = true));
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      const parsed = parseConsoleToRelay((data as Buffer).toString('utf8'));
      if (!parsed.ok) {
        this.stats.problems.bad_frame = (this.stats.problems.bad_frame ?? 0) + 1;
        return this.deps.logger.warn('upstream sent a bad frame', { detail: parsed.detail });
      }
      this.onMessage(parsed.message);
    });
    ws.on('unexpected-response', (_req, res) => {
      const status = res.statusCode ?? 0;
      this.deps.logger.error('upstream refused the relay', { status });
      if (status === 401 || status === 403) {
        this.deps.auth.connectionFailed(`HTTP ${status}`);
        // As an agent does: a retry without a fix gets the same answer.
        this.fatal(
          status === 403
            ? 'the console refused this relay (HTTP 403): the key is not a relay key'
            : this.deps.auth.refusedMessage().replace('agent', 'relay'),
        );
      }
      ws.terminate();
    });
    ws.on('error', (err) => {
      this.deps.auth.connectionFailed(err.message);
      if (this.state !== 'disconnected')
        this.deps.logger.debug('upstream connection error', { error: err.message });
    });
    ws.on('close', (code, reason) => this.onClose(ws, code, reason.toString()));
  }

  private ping(ws: WebSocket): void {
    if (!this.alive) {
      this.deps.logger.warn('upstream link silent: reconnecting');
      ws.terminate();
      return;
    }
    this.alive = false;
    ws.ping();
  }

  private onClose(ws: WebSocket, code: number, reason: string): void {
    if (this.ws !== ws) return;
    this.ws = null;
    const was = this.welcomed;
    this.welcomed = false;
    this.state = 'disconnected';
    for (const t of [this.pinger, this.statusTimer, this.flushTimer]) t?.cancel();
    this.pinger = this.statusTimer = this.flushTimer = null;
    // What was in flight is unacked: it goes again, from the acked cursor.
    this.inflight = [];
    this.sentAt.clear();
    this.readPos = this.acked.at;
    if (was) this.deps.logger.warn('upstream link lost', { code, reason });
    if (code === CLOSE.agentIdMismatch.code || code === CLOSE.keyRevoked.code)
      return this.fatal(`the console closed the relay link for good: ${code} ${reason}`);
    if (POISON_CLOSES.has(code)) return void this.onPoison(code, reason);
    this.scheduleReconnect();
  }

  private fatal(message: string): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const t of [this.pinger, this.statusTimer, this.flushTimer, this.retry]) t?.cancel();
    this.deps.logger.error('relay link refused for good', { message });
    this.deps.onFatal(message);
  }

  /** A frame the console refuses: after three closes at one position, the batch there goes. */
  private async onPoison(code: number, reason: string): Promise<void> {
    const moved = await this.acked.refused({ code, reason }, (from) =>
      this.deps.queue.read(from, this.opts.batchUnits, BATCH_MAX_BYTES),
    );
    if (moved) this.readPos = moved;
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    this.retry = this.deps.clock.setTimeout(() => this.connect(), this.backoff.next());
  }

  private onMessage(msg: ConsoleToRelayMessage): void {
    switch (msg.type) {
      case 'relay_welcome':
        return this.onWelcome(msg);
      case 'relay_ack':
        for (const p of msg.problems)
          this.stats.problems[p.code] = (this.stats.problems[p.code] ?? 0) + 1;
        return this.onAck(msg.seq);
      case 'relay_action':
        return this.deps.onAction(msg);
      case 'relay_error':
        if (msg.code === 'ingest_paused' && msg.seq !== undefined)
          return this.onPaused(msg.retryAfterMs ?? 5_000);
        for (const p of msg.problems ?? [])
          this.stats.problems[p.code] = (this.stats.problems[p.code] ?? 0) + 1;
        this.deps.logger.warn('upstream refused', { code: msg.code, message: msg.message });
    }
  }

  private onWelcome(msg: Extract<ConsoleToRelayMessage, { type: 'relay_welcome' }>): void {
    if (msg.credential) {
      const credential = { agentId: msg.relayId, ...msg.credential };
      this.deps.auth.credential = credential;
      try {
        this.deps.credentials.save(credential);
      } catch (err) {
        this.deps.logger.error('could not store the relay key', { error: (err as Error).message });
      }
    }
    this.relayId = msg.relayId;
    this.welcomed = true;
    this.state = 'connected';
    this.backoff.reset();
    this.deps.logger.info('upstream link up', { relayId: msg.relayId, url: this.opts.url });
    // Everything first (the console may have restarted, or forgotten): then only changes.
    this.pending.clear();
    const all = this.deps.agents();
    for (let i = 0; i < all.length || i === 0; i += 10_000)
      this.sendText({ type: 'relay_agents', full: true, agents: all.slice(i, i + 10_000) });
    this.statusTimer = this.deps.clock.setInterval(
      () => void this.sendStatus(),
      msg.statusIntervalMs,
    );
    void this.sendStatus();
    this.pump();
  }

  private flushAgents(): void {
    this.flushTimer = null;
    if (!this.welcomed || this.pending.size === 0) return;
    const agents = [...this.pending.values()];
    this.pending.clear();
    this.sendText({ type: 'relay_agents', full: false, agents });
  }

  private async sendStatus(): Promise<void> {
    if (!this.welcomed) return;
    const head = await this.deps.queue.read(this.acked.at, 1).catch(() => null);
    const oldestAt = head?.lines[0]?.minTs ?? null;
    this.sendText({
      type: 'relay_status',
      ts: this.deps.clock.now(),
      ...this.deps.status(),
      queue: {
        pending: this.pendingUnits,
        bytes: this.deps.queue.bytes,
        oldestAt: oldestAt && oldestAt > 0 ? oldestAt : null,
        dropped: this.deps.dropped() + this.acked.dropped,
      },
      bytesSent: this.stats.bytesSent,
    });
  }

  sendText(msg: object): void {
    const ws = this.ws;
    if (!ws || ws.readyState !== ws.OPEN) return;
    const text = JSON.stringify(msg);
    this.stats.bytesSent += Buffer.byteLength(text);
    ws.send(text);
  }

  private onPaused(retryAfterMs: number): void {
    // Not stored: everything from the acked cursor goes again once the pause is over.
    this.pausedUntil = this.deps.clock.monotonic() + retryAfterMs;
    this.inflight = [];
    this.sentAt.clear();
    this.readPos = this.acked.at;
    this.deps.clock.setTimeout(() => this.pump(), retryAfterMs);
  }

  private onAck(seq: number): void {
    const entry = this.inflight.find((f) => f.seq === seq);
    if (!entry) return;
    entry.acked = true;
    this.stats.batchesAcked++;
    const sent = this.sentAt.get(seq);
    if (sent !== undefined) this.stats.lastAckMs = this.deps.clock.monotonic() - sent;
    this.sentAt.delete(seq);
    let to: QueuePosition | null = null;
    while (this.inflight[0]?.acked) to = this.inflight.shift()!.next;
    if (to) this.acked.advance(to);
    this.pump();
  }

  /** Send queued entries while the window has room. One pump at a time. */
  private pump(): void {
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    void this.pumpLoop().finally(() => {
      this.pumping = false;
      if (this.pumpAgain) {
        this.pumpAgain = false;
        this.pump();
      }
    });
  }

  private async pumpLoop(): Promise<void> {
    while (
      !this.stopped &&
      this.welcomed &&
      this.inflight.length < this.opts.maxInFlight &&
      this.deps.clock.monotonic() >= this.pausedUntil
    ) {
      const ws = this.ws!;
      const from = this.readPos;
      const read = await this.deps.queue.read(from, this.opts.batchUnits, BATCH_MAX_BYTES);
      if (!read || !this.welcomed || this.ws !== ws) return;
      this.stats.damagedLines += read.damaged;
      if (read.lines.length === 0) {
        // Only damage or segment boundaries: move on without a batch.
        if (comparePositions(read.next, from) === 0) return;
        this.readPos = read.next;
        if (this.inflight.length === 0) this.acked.advance(read.next);
        continue;
      }
      const seq = ++this.seq;
      const frame = encodeRelayBatch({
        type: 'relay_batch',
        seq,
        entries: read.lines.flatMap((l) => l.item),
      });
      if (!this.welcomed || this.ws !== ws || ws.readyState !== ws.OPEN) return;
      // Sent only if nothing reset the window meanwhile (a pause, a reconnect).
      if (comparePositions(this.readPos, from) !== 0) continue;
      this.readPos = read.next;
      this.inflight.push({ seq, next: read.next, acked: false });
      this.sentAt.set(seq, this.deps.clock.monotonic());
      ws.send(frame);
      this.stats.batchesSent++;
      this.stats.bytesSent += frame.length;
      this.stats.unitsSent += read.samples;
    }
  }
}
