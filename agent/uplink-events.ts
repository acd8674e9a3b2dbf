// What an Uplink tells its owner about its connection, and how that reads to a person.

/** Close codes after which the agent waits long before it tries again (see docs/protocol.md). */
export type HeldOffCode = 4007 | 4010 | 4011;

export type UplinkEvent =
  | { type: 'connecting'; url: string }
  | { type: 'connected'; agentId: string; reconnect: boolean; resent: number }
  | { type: 'retrying'; delayMs: number; reason: string }
  | { type: 'held_off'; code: HeldOffCode; delayMs: number; reason: string }
  | { type: 'paused'; retryAfterMs: number; seq: number | null; pending: number }
  | { type: 'resumed'; resent: number }
  /** The console acked a batch but dropped some of its samples (out_of_order, series_limit …). */
  | { type: 'samples_dropped'; code: string; message: string; seq: number | null }
  | { type: 'console_error'; code: string; message: string }
  | { type: 'fatal'; reason: string }
  /** The console issued this agent its own key (kept in its state dir from now on). */
  | { type: 'enrolled'; agentId: string; keyId: string };

export interface EventLine {
  level: 'info' | 'warn' | 'error';
  text: string;
}

const seconds = (ms: number) =>
  ms >= 10_000 ? `${Math.round(ms / 1000)} s` : `${(ms / 1000).toFixed(1)} s`;

const HELD_OFF_TEXT: Record<HeldOffCode, string> = {
  4007: "the console does not know this agent's region (4007)",
  4010: "another connection with this agent's identity took over (4010)",
  4011: 'the console has as many agents as it allows (4011 agent_limit)',
};

/** One line for a person, or null for what a healthy agent does quietly. */
export function describeUplinkEvent(e: UplinkEvent): EventLine | null {
  switch (e.type) {
    case 'connecting':
      return null;
    case 'connected':
      return {
        level: 'info',
        text:
          `${e.reconnect ? 'reconnected' : 'connected'} as ${e.agentId}` +
          (e.resent > 0 ? ` (resending ${e.resent} unacked batch(es))` : ''),
      };
    case 'retrying':
      return { level: 'warn', text: `retrying in ${seconds(e.delayMs)} (reason: ${e.reason})` };
    case 'held_off':
      return {
        level: 'warn',
        text: `${HELD_OFF_TEXT[e.code]}; retrying in ${seconds(e.delayMs)}${e.reason ? ` (${e.reason})` : ''}`,
      };
    case 'paused':
      return {
        level: 'warn',
        text: `the console paused ingest (it cannot store data now); holding ${e.pending} batch(es), sending again in ${seconds(e.retryAfterMs)}`,
      };
    case 'resumed':
      return { level: 'info', text: `ingest resumed; resending ${e.resent} batch(es)` };
    case 'samples_dropped':
      return { level: 'warn', text: `the console dropped samples (${e.code}): ${e.message}` };
    case 'console_error':
      return { level: 'warn', text: `console error ${e.code}: ${e.message}` };
    case 'fatal':
      return { level: 'error', text: e.reason };
    case 'enrolled':
      return { level: 'info', text: `enrolled as ${e.agentId}: key ${e.keyId} stored` };
  }
}

/**
 * Turns events into lines for a person, keeping a healthy agent quiet and a sick one from
 * flooding: the same dropped-samples or console error (by code) prints at most once a minute,
 * with a count of the ones not printed.
 */
export class EventReporter {
  private readonly lastPrinted = new Map<string, number>();
  private readonly suppressed = new Map<string, number>();

  constructor(
    private readonly now: () => number,
    private readonly write: (line: EventLine, event: UplinkEvent) => void,
    private readonly repeatMs = 60_000,
  ) {}

  report(event: UplinkEvent): void {
    const line = describeUplinkEvent(event);
    if (!line) return;
    const key =
      event.type === 'samples_dropped' || event.type === 'console_error'
        ? `${event.type}:${event.code}`
        : null;
    if (key) {
      const last = this.lastPrinted.get(key);
      const now = this.now();
      if (last !== undefined && now - last < this.repeatMs) {
        this.suppressed.set(key, (this.suppressed.get(key) ?? 0) + 1);
        return;
      }
      this.lastPrinted.set(key, now);
      const n = this.suppressed.get(key) ?? 0;
      this.suppressed.delete(key);
      if (n > 0) line.text += ` (and ${n} more like it since the last report)`;
    }
    this.write(line, event);
  }
}
