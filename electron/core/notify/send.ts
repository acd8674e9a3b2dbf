// Stages 4 and 5, send and retry: try the channel; a retryable failure (network, timeout,
// 5xx, 429, SMTP 4xx) is tried again after 1 s, 2 s, 4 s… (capped), up to maxAttempts.
// Each try is recorded. Waiting runs on the injected clock, so tests step through it.
import type { ChannelConfig, DeliveryAttempt } from '../../../shared/notify.js';
import type { Clock, TimerHandle } from '../clock.js';
import type { IdSource } from '../ids.js';
import type { NotifyOptions } from './defaults.js';
import type { NotificationMessage, Transport } from './message.js';
import type { DeliveryRecorder } from './record.js';

export interface SendDeps {
  clock: Clock;
  ids: IdSource;
  transport: Transport;
  recorder: DeliveryRecorder;
  options: Pick<NotifyOptions, 'maxAttempts' | 'backoffMs' | 'maxBackoffMs'>;
}

export function backoffMs(attempt: number, base: number, max: number): number {
  return Math.min(max, base * 2 ** (attempt - 1));
}

export class Sender {
  private readonly waits = new Set<{ timer: TimerHandle; resolve: () => void }>();
  private stopped = false;

  constructor(private readonly deps: SendDeps) {}

  /** Deliver with retries; resolves with the last attempt (ok, or the one that gave up). */
  async deliver(
    channel: ChannelConfig,
    msg: NotificationMessage,
    maxAttempts = this.deps.options.maxAttempts,
  ): Promise<DeliveryAttempt> {
    const { clock, options } = this.deps;
    for (let attempt = 1; ; attempt++) {
      const started = clock.monotonic();
      const result = await this.deps.transport(channel, msg).catch((err: unknown) => ({
        ok: false,
        status: null,
        error: String(err),
        retryable: true,
      }));
      const latencyMs = clock.monotonic() - started;
      const again = !result.ok && result.retryable && attempt < maxAttempts && !this.stopped;
      const wait = backoffMs(attempt, options.backoffMs, options.maxBackoffMs);
      const record: DeliveryAttempt = {
        id: this.deps.ids('dlv'),
        at: clock.now(),
        channelId: channel.id,
        channelKind: channel.kind,
        incidentId: msg.kind === 'test' ? null : msg.incident.id,
        kind: msg.kind,
        step: msg.step,
        round: msg.round,
        attempt,
        ok: result.ok,
        status: result.status,
        error: result.error,
        latencyMs,
        retryAt: again ? clock.now() + wait : null,
      };
      this.deps.recorder.attempt(record, channel);
      if (!again) return record;
      await this.sleep(wait);
      if (this.stopped) return record;
    }
  }

  /** Pending retries are abandoned (the core is stopping). */
  stop(): void {
    this.stopped = true;
    for (const w of this.waits) {
      w.timer.cancel();
      w.resolve();
    }
    this.waits.clear();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const entry = {
        timer: this.deps.clock.setTimeout(() => {
          this.waits.delete(entry);
          resolve();
        }, ms),
        resolve,
      };
      this.waits.add(entry);
    });
  }
}
