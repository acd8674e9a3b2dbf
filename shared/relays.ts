// Regional relays as the console sees them: GET /api/v1/relays and the Fleet view's relay
// table. A relay's link is `connected`, or lost in one of two ways the console can tell apart:
// `cut_off` (the link went silent: pings unanswered, as in a WAN cut, where no packet arrives,
// not even a close) and `down` (the relay's side closed the connection: its process stopped or
// died, and its host's kernel closed the socket). On reconnection the relay's boot id says
// whether the relay process restarted meanwhile.

export type RelayLinkState = 'connected' | 'cut_off' | 'down';

export interface RelayOutage {
  kind: 'cut_off' | 'down';
  startedAt: number;
  /** null while it lasts. */
  endedAt: number | null;
  /** Known at reconnection: the relay process restarted (another boot id). */
  relayRestarted: boolean | null;
}

export interface RelayView {
  id: string;
  name: string;
  region: string;
  version: string;
  address: string;
  state: RelayLinkState;
  /** Since when the link is in this state. */
  since: number;
  /** Last frame received from the relay. */
  lastContactAt: number | null;
  agents: {
    total: number;
    /** As the relay last reported them (held, not re-judged, while the link is lost). */
    online: number;
    offline: number;
  };
  /** From the relay's last status (stale while the link is lost: see `statusAt`). */
  queue: { pending: number; bytes: number; oldestAt: number | null; dropped: number };
  /** Age of the oldest sample still queued at the relay when it last reported; 0 when drained. */
  lagMs: number;
  statusAt: number | null;
  /** Compressed bytes received from it since the console started, and samples taken. */
  bytesReceived: number;
  samplesReceived: number;
  /** Newest first, at most 20. */
  outages: RelayOutage[];
}

export interface RelaysResponse {
  relays: RelayView[];
}
