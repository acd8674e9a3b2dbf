// The words of a lost relay link: what the one `relay_unreachable` alert says, so an operator
// reads the kind of outage (WAN cut, relay stopped, relay died, not back since the console
// started) and how many agents behind it are held rather than paged.
export type LinkLoss = 'cut_off' | 'down';

/** The relay as its record holds it. */
export interface OutageRelay {
  name: string;
  region: string;
  agents: { size: number };
  /** When the relay last reported; null: never since the console started. */
  lastContactAt: number | null;
}

export interface OutageFacts {
  how: LinkLoss;
  /** The console started without this relay's link (known from relays.json). */
  afterRestart: boolean;
  /** The relay closed with 1001 (going away): its operator or service manager stopped it. */
  saidStopping: boolean;
  /** Agents it reported healthy, now held online. */
  held: number;
  holdMs: number;
}

export function outageMessage(r: OutageRelay, f: OutageFacts): string {
  const at =
    r.lastContactAt === null
      ? ''
      : ` (${new Date(r.lastContactAt).toISOString().slice(11, 19)} UTC)`;
  const healthy = `${f.held} of ${r.agents.size} agents behind it were healthy at its last report${at}; they are held online, not paged, for up to ${Math.round(f.holdMs / 3_600_000)} h, and their data waits in the relay's queue`;
  const what = f.afterRestart
    ? `has not reconnected since the console started`
    : f.how === 'cut_off'
      ? `cut off: its link went silent (no answer to pings: a WAN cut, or its host is unreachable)`
      : f.saidStopping
        ? `down: it said it was stopping (stopped by its operator or service manager)`
        : `down: it closed its connection without a word (the relay process died, or its host restarted)`;
  return `Relay ${r.name} (${r.region}) ${what}. ${healthy}.`;
}
