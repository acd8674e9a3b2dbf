import type { ChannelConfig, EscalationPolicy } from '../../../shared/notify.js';

/** The brief's escalation: a critical not acknowledged within 5 minutes escalates. */
export const CRITICAL_ESCALATION_MS = 5 * 60_000;

/** Native/browser notifications exist without any setup; every other channel is added. */
export const DEFAULT_CHANNELS: ChannelConfig[] = [
  {
    id: 'desktop',
    name: 'Desktop and browser notifications',
    kind: 'desktop',
    enabled: true,
    sendResolved: false,
    maxPerMinute: 30,
  },
];

/**
 * Criticals page the desktop at once and again every 5 minutes while nobody acknowledges them.
 * Operators add their webhook/email channels to its later steps (PUT /api/v1/policies/default).
 */
export const DEFAULT_POLICY: EscalationPolicy = {
  id: 'default',
  name: 'Criticals: page now, escalate every 5 min until acknowledged',
  match: { severities: ['critical'] },
  steps: [
    { afterMs: 0, channelIds: ['desktop'] },
    { afterMs: CRITICAL_ESCALATION_MS, channelIds: ['desktop'] },
  ],
  repeatAfterMs: CRITICAL_ESCALATION_MS,
};

export interface NotifyOptions {
  /**
   * A new incident is held this long before its first page (Alertmanager's group_wait), so
   * the alerts that fire in the first seconds of an outage are paged together, once.
   */
  groupWaitMs: number;
  /** Tries per message, the first included. */
  maxAttempts: number;
  /** Wait before the first retry; doubled each retry up to maxBackoffMs. */
  backoffMs: number;
  maxBackoffMs: number;
  /** Outbound HTTP and SMTP give up after this long. */
  timeoutMs: number;
  /** Messages that failed (all tries) in a row before the channel raises a console alert. */
  failingAfter: number;
  /** Delivery attempts kept for GET /api/v1/deliveries. */
  deliveryLogSize: number;
  /** Where links in messages point (the console's URL without its token), when known. */
  consoleUrl: string | null;
}

export const DEFAULT_NOTIFY_OPTIONS: NotifyOptions = {
  groupWaitMs: 5_000,
  maxAttempts: 4,
  backoffMs: 1_000,
  maxBackoffMs: 30_000,
  timeoutMs: 5_000,
  failingAfter: 3,
  deliveryLogSize: 1_000,
  consoleUrl: null,
};
