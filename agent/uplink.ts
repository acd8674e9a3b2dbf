import WebSocket from 'ws';
import type { Clock, TimerHandle } from '../shared/clock.js';
import {
  CLOSE,
  PROTOCOL_VERSION,
  isFatalCloseCode,
  MAX_FRAME_BYTES,
  MAX_SAMPLES_PER_BATCH,
  type AgentEvent,
  type ConsoleMessage,
  type HelloMessage,
  type Sample,
} from '../shared/protocol.js';

export type HelloFields = Omit<HelloMessage, 'type' | 'protocol' | 'agentId'>;

export interface UplinkOptions {
  url: string;
  token: string;
  hello: HelloFields;
  clock: Clock;
  /** Uniform [0, 1): the jitter source (seeded in the simulator). */
  random: () => number;
  /** Batches kept for resend while unacknowledged; the oldest are dropped past this. */
  maxPendingBatches?: number;
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  /** Called once when the console refuses us for good (bad token, protocol error). */
  onFatal?: (reason: string) => void;
  onWelcome?: (agentId: string) => void;
}

export interface UplinkStats {
  batchesSent: number;
  batchesAcked: number;
  batchesResent: number;
  batchesDropped: number;
  connects: number;
  errors: string[];
}

/**
 * An agent's connection to the console: hello/welcome, heartbeats at the interval the
 * console asks for, and store-and-forward of batches (kept until acked, resent after a
 * reconnect). Reconnects with exponential backoff and full jitter.
 */
export class Uplink {
  agentId: string | null = null;
  readonly stats: UplinkStats = {
    batchesSent: 0,
    batchesAcked: 0,
    batchesResent: 0,
    batchesDropped: 0,
    connects: 0,
    errors: [],
  };
  private ws: WebSocket | null = null;
  private welcomed = false;
  private stopped = false;
  private attempt = 0;
  private nextSeq = 1;
  private readonly pending = new Map<number, string>();
  private heartbeatTimer: TimerHandle | null = null;
  private retryTimer: TimerHandle | null = null;
  private heartbeatsPaused = false;

  constructor(private readonly opts: UplinkOptions) {}

  get connected(): boolean {
    return this.welcomed;
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  start(): void {
    this.stopped = false;
    this.connect();
  }

  /** Close for good (no reconnect). */
  stop(): void {
    this.stopped = true;
    this.retryTimer?.cancel();
    this.heartbeatTimer?.cancel();
    this.ws?.close(1000, 'agent stopping');
    this.ws = null;
    this.welcomed = false;
  }

  /** Drop the socket without a close handshake, as a crashed host would (simulator, tests). */
  kill(): void {
    this.stopped = true;
    this.retryTimer?.cancel();
    this.heartbeatTimer?.cancel();
    this.ws?.terminate();
    this.ws = null;
    this.welcomed = false;
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

  sendEvents(events: AgentEvent[]): number {
    const seq = this.nextSeq++;
    this.enqueue(seq, JSON.stringify({ type: 'events', seq, events }));
    return seq;
  }

  private enqueue(seq: number, frame: string): void {
    this.pending.set(seq, frame);
    const max = this.opts.maxPendingBatches ?? 10_000;
    while (this.pending.size > max) {
      this.pending.delete(this.pending.keys().next().value!);
      this.stats.batchesDropped++;
    }
    if (this.welcomed) this.transmit(frame);
  }

  private transmit(frame: string): void {
    this.ws?.send(frame);
    this.stats.batchesSent++;
  }

  private connect(): void {
    if (this.stopped) return;
    const ws = new WebSocket(this.opts.url, {
      headers: { Authorization: `Bearer ${this.opts.token}` },
    });
    this.ws = ws;
    ws.on('open', () => {
      this.stats.connects++;
      const hello: HelloMessage = {
        type: 'hello',
        protocol: PROTOCOL_VERSION,
        ...this.opts.hello,
        ...(this.agentId ? { agentId: this.agentId } : {}),
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
      const reason = `console refused the connection: HTTP ${res.statusCode}${res.statusCode === 401 ? ' (check the agent token)' : ''}`;
      ws.terminate();
      if (res.statusCode === 401 || res.statusCode === 403) this.fatal(reason);
    });
    ws.on('error', (err) => this.note(err.message));
    ws.on('close', (code, reason) => {
      if (this.ws !== ws) return;
      this.welcomed = false;
      this.heartbeatTimer?.cancel();
      if (isFatalCloseCode(code))
        return this.fatal(`closed by console: ${code} ${reason.toString()}`);
      if (code !== CLOSE.shuttingDown.code && code !== 1000 && code !== 1006)
        this.note(`closed ${code} ${reason.toString()}`);
      this.scheduleReconnect();
    });
  }

  private onMessage(msg: ConsoleMessage): void {
    switch (msg.type) {
      case 'welcome': {
        this.agentId = msg.agentId;
        this.welcomed = true;
        this.attempt = 0;
        this.heartbeatTimer?.cancel();
        this.heartbeatTimer = this.opts.clock.setInterval(
          () => this.heartbeat(),
          msg.heartbeatIntervalMs,
        );
        if (this.pending.size > 0 && this.stats.connects > 1)
          this.stats.batchesResent += this.pending.size;
        for (const frame of this.pending.values()) this.transmit(frame);
        this.opts.onWelcome?.(msg.agentId);
        return;
      }
      case 'ack':
        if (this.pending.delete(msg.seq)) this.stats.batchesAcked++;
        return;
      case 'error':
        this.note(`${msg.code}: ${msg.message}`);
        return;
    }
  }

  private heartbeat(): void {
    if (this.heartbeatsPaused || !this.welcomed) return;
    this.ws?.send(JSON.stringify({ type: 'heartbeat', ts: this.opts.clock.now() }));
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    const initial = this.opts.backoffInitialMs ?? 500;
    const max = this.opts.backoffMaxMs ?? 30_000;
    // Full jitter (AWS architecture blog): spreads a thousand agents reconnecting after a console restart.
    const delay = this.opts.random() * Math.min(max, initial * 2 ** this.attempt);
    this.attempt = Math.min(this.attempt + 1, 30);
    this.retryTimer = this.opts.clock.setTimeout(() => this.connect(), delay);
  }

  private fatal(reason: string): void {
    this.note(reason);
    this.stop();
    this.opts.onFatal?.(reason);
  }

  private note(message: string): void {
    this.stats.errors.push(message);
    if (this.stats.errors.length > 20) this.stats.errors.shift();
  }
}
