// What the console knows of one relay: identity, link state, the agents behind it and its
// last reported health. The persisted part (relays.json) is what a restart needs to keep
// holding those agents (and to page once) if the relay does not come back.
import type { RelayLinkState, RelayOutage, RelayView } from '../../../../shared/relays.js';
import type { RelayStatus } from '../../../../shared/relay-protocol.js';

export interface RelayedAgent {
  online: boolean;
  hello: string;
  connectionId: number;
  /** The actions its hello offered (none until the relay reports it after a console start). */
  actions?: readonly string[];
}

export interface PersistedRelay {
  id: string;
  name: string;
  region: string;
  version: string;
  address: string;
  bootId: string;
  agents: string[];
  lastContactAt: number | null;
  outages: RelayOutage[];
}

export const MAX_OUTAGES = 20;

export class RelayRecord {
  state: RelayLinkState = 'down';
  since: number;
  lastContactAt: number | null = null;
  status: RelayStatus | null = null;
  statusAt: number | null = null;
  bytesReceived = 0;
  samplesReceived = 0;
  outages: RelayOutage[] = [];
  /** Agents behind it, with whether the relay holds each online, and the hello last applied. */
  readonly agents = new Map<string, RelayedAgent>();

  constructor(
    readonly id: string,
    public name: string,
    public region: string,
    public version: string,
    public address: string,
    public bootId: string,
    now: number,
  ) {
    this.since = now;
  }

  static restore(p: PersistedRelay, now: number): RelayRecord {
    const r = new RelayRecord(p.id, p.name, p.region, p.version, p.address, p.bootId, now);
    r.lastContactAt = p.lastContactAt;
    r.outages = p.outages.slice(0, MAX_OUTAGES);
    // Online until the relay says otherwise: they were held so when the console stopped.
    for (const id of p.agents) r.agents.set(id, { online: true, hello: '', connectionId: 0 });
    return r;
  }

  persisted(): PersistedRelay {
    return {
      id: this.id,
      name: this.name,
      region: this.region,
      version: this.version,
      address: this.address,
      bootId: this.bootId,
      agents: [...this.agents.keys()],
      lastContactAt: this.lastContactAt,
      outages: this.outages,
    };
  }

  get onlineCount(): number {
    let n = 0;
    for (const a of this.agents.values()) if (a.online) n++;
    return n;
  }

  /** The open outage, if the link is lost. */
  get openOutage(): RelayOutage | null {
    const o = this.outages[0];
    return o && o.endedAt === null ? o : null;
  }

  view(): RelayView {
    const online = this.onlineCount;
    const q = this.status?.queue;
    return {
      id: this.id,
      name: this.name,
      region: this.region,
      version: this.version,
      address: this.address,
      state: this.state,
      since: this.since,
      lastContactAt: this.lastContactAt,
      agents: { total: this.agents.size, online, offline: this.agents.size - online },
      queue: q
        ? { pending: q.pending, bytes: q.bytes, oldestAt: q.oldestAt, dropped: q.dropped }
        : { pending: 0, bytes: 0, oldestAt: null, dropped: 0 },
      // The relay's clock stamped oldestAt and ts: the lag is measured on its clock.
      lagMs: q && q.oldestAt !== null && this.status ? Math.max(0, this.status.ts - q.oldestAt) : 0,
      statusAt: this.statusAt,
      bytesReceived: this.bytesReceived,
      samplesReceived: this.samplesReceived,
      outages: this.outages.map((o) => ({ ...o })),
    };
  }
}
