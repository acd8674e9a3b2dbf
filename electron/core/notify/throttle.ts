// Stage 3, throttle: at most `maxPerMinute` sends a minute per channel (a receiver's rate
// limit, a mailbox, a person). More wait their turn in order; nothing is dropped.
import type { Clock, TimerHandle } from '../clock.js';

const WINDOW_MS = 60_000;

interface ChannelWindow {
  sent: number[];
  queue: (() => void)[];
  timer: TimerHandle | null;
}

export class Throttle {
  private readonly windows = new Map<string, ChannelWindow>();

  constructor(private readonly clock: Clock) {}

  /** Run `send` now if the channel has room this minute, else when it has. */
  schedule(channelId: string, maxPerMinute: number, send: () => void): void {
    let w = this.windows.get(channelId);
    if (!w) this.windows.set(channelId, (w = { sent: [], queue: [], timer: null }));
    w.queue.push(send);
    this.drain(channelId, w, maxPerMinute);
  }

  /** Messages waiting for room, all channels. */
  get waiting(): number {
    let n = 0;
    for (const w of this.windows.values()) n += w.queue.length;
    return n;
  }

  stop(): void {
    for (const w of this.windows.values()) w.timer?.cancel();
    this.windows.clear();
  }

  private drain(channelId: string, w: ChannelWindow, max: number): void {
    const now = this.clock.now();
    while (w.sent.length > 0 && w.sent[0]! <= now - WINDOW_MS) w.sent.shift();
    while (w.queue.length > 0 && w.sent.length < max) {
      w.sent.push(now);
      w.queue.shift()!();
    }
    if (w.queue.length === 0 || w.timer) return;
    w.timer = this.clock.setTimeout(
      () => {
        w.timer = null;
        this.drain(channelId, w, max);
      },
      Math.max(1, w.sent[0]! + WINDOW_MS - now),
    );
  }
}
