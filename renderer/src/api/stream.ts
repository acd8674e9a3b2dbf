// The /api/v1/stream connection: applies every message to the store, notices a dead link
// (close, error, or silence: the core sends stats every second) and reconnects by itself
// with capped exponential backoff and full jitter. A reconnect starts with a fresh snapshot.
import type { StreamMessage, StreamRequest } from '../../../shared/api';
import { STREAM_PATH } from '../../../shared/api-constants';
import { systemClock, type TimerHandle } from '../../../shared/clock';
import { streamUrl, type Endpoint } from './endpoint';
import type { FleetStore } from './store';
import { TailSubscriptions, type TailListener, type TailQuery } from './tails';

const BACKOFF_INITIAL_MS = 250;
const BACKOFF_MAX_MS = 5_000;
/** Stats arrive every second; this long without any message means the link is dead. */
const SILENCE_LIMIT_MS = 5_000;

export class StreamClient {
  private ws: WebSocket | null = null;
  private attempt = 0;
  private retryTimer: TimerHandle | null = null;
  private watchdog: TimerHandle | null = null;
  private lastMessageAt = 0;
  private stopped = false;
  private readonly tails = new TailSubscriptions((request) => this.send(request));

  constructor(
    private readonly endpoint: Endpoint,
    private readonly store: FleetStore,
    /** Status of an authenticated REST call (GET /api/v1/session). */
    private readonly probe: () => Promise<number>,
    private readonly random: () => number = Math.random,
  ) {}

  start(): void {
    this.stopped = false;
    this.connect();
    this.watchdog = systemClock.setInterval(() => this.checkSilence(), 1_000);
  }

  stop(): void {
    this.stopped = true;
    this.retryTimer?.cancel();
    this.watchdog?.cancel();
    this.ws?.close(1000, 'viewer closing');
    this.ws = null;
  }

  /**
   * Follow a chart series live (one-second points, the last few seconds each time); kept
   * across reconnects. Returns the unsubscribe function.
   */
  tail(query: TailQuery, listener: TailListener): () => void {
    return this.tails.add(query, listener);
  }

  /** Send a viewer request (tail/untail); false when not connected. */
  send(request: StreamRequest): boolean {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(request));
    return true;
  }

  /** Skip the remaining backoff (the banner's "Retry now"). */
  retryNow(): void {
    if (this.stopped || this.ws) return;
    this.retryTimer?.cancel();
    this.connect();
  }

  private connect(): void {
    this.retryTimer = null;
    const ws = new WebSocket(streamUrl(this.endpoint, STREAM_PATH));
    this.ws = ws;
    this.lastMessageAt = systemClock.now();
    ws.onmessage = (ev: MessageEvent<string>) => {
      if (this.ws !== ws) return;
      this.lastMessageAt = systemClock.now();
      let msg: StreamMessage;
      try {
        msg = JSON.parse(ev.data) as StreamMessage;
      } catch {
        return;
      }
      if (msg.type === 'tail' || msg.type === 'tail_error') {
        this.tails.dispatch(msg);
        return;
      }
      this.store.apply(msg);
      if (msg.type === 'snapshot') {
        this.attempt = 0;
        // A new socket is a new viewer to the console: ask again for every live series.
        this.tails.resendAll();
      }
    };
    ws.onclose = () => this.onDown(ws);
    ws.onerror = () => this.onDown(ws);
  }

  private onDown(ws: WebSocket): void {
    if (this.ws !== ws) return;
    this.ws = null;
    ws.onmessage = ws.onclose = ws.onerror = null;
    if (ws.readyState === WebSocket.CONNECTING || ws.readyState === WebSocket.OPEN) ws.close();
    if (this.stopped) return;
    const cap = Math.min(BACKOFF_MAX_MS, BACKOFF_INITIAL_MS * 2 ** this.attempt++);
    const delay = Math.max(100, Math.round(this.random() * cap));
    this.store.setConnection('down', systemClock.now() + delay);
    this.retryTimer = systemClock.setTimeout(() => this.connect(), delay);
    // A browser hides why a WebSocket upgrade failed; ask the REST API whether it is the token
    // (a core restarted with a new per-launch token refuses the old cookie).
    void this.probeAuth();
  }

  private async probeAuth(): Promise<void> {
    try {
      const res = await this.probe();
      if (res !== 401 || this.stopped || this.ws) return;
      // Retrying cannot help until the operator opens a fresh console URL (or presses Retry).
      this.retryTimer?.cancel();
      this.store.setConnection('unauthorized');
    } catch {
      // Unreachable: the 'down' banner already says so.
    }
  }

  private checkSilence(): void {
    const ws = this.ws;
    // Covers both a handshake that never completes and an open link gone quiet.
    if (!ws) return;
    if (systemClock.now() - this.lastMessageAt > SILENCE_LIMIT_MS) this.onDown(ws);
  }
}
