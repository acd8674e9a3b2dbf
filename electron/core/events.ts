import type {
  Agent,
  AgentStatus,
  Alert,
  AlertState,
  Region,
  Severity,
  StoredEvent,
} from '../../shared/model.js';
import type { Incident, IncidentState } from '../../shared/incidents.js';
import type { SilenceView } from '../../shared/silences.js';
import type { RecoveryRun, RunState } from '../../shared/recovery.js';

/** What the core tells its listeners (stream, metrics, Electron shell) in-process. */
export interface CoreEventMap {
  /** `connected`: a hello opened a new connection (the agent (re)started or reconnected). */
  'agent.changed': { agent: Agent; previousStatus: AgentStatus | null; connected?: true };
  /** Only a heartbeat or new latest values: frequent, so viewers get these coalesced. */
  'agent.touched': { agent: Agent };
  /** An operator retired (decommissioned) the agent: it is no longer in the registry. */
  'agent.removed': { agent: Agent };
  /** The registry's cap: `full` turns on when a hello is refused for it, off when there is room. */
  'fleet.capacity': { agents: number; max: number; full: boolean };
  'region.changed': { region: Region; previousStatus: Region['status'] | null };
  'alert.changed': { alert: Alert; previousState: AlertState | null };
  /** An open alert's message or value now says the current state; no transition, no notification. */
  'alert.revised': { alert: Alert };
  'event.stored': { event: StoredEvent };
  /**
   * An incident opened, gained an alert, changed severity or state, or was assigned. The
   * notification pipeline pages and escalates from these; `reason` says which it was.
   */
  'incident.changed': {
    incident: Incident;
    previousState: IncidentState | null;
    previousSeverity: Severity | null;
    reason: 'opened' | 'alert_joined' | 'severity' | 'state' | 'assigned' | 'updated';
  };
  /**
   * A silence was created, started, ended (expired, or expired early), or ends soon
   * (`expiring`: the reminder, SILENCE_REMINDER_MS before its end).
   */
  'silence.changed': {
    silence: SilenceView;
    change: 'created' | 'started' | 'ended' | 'expiring';
  };
  /** A recovery run was proposed or changed state or step (electron/core/recovery/). */
  'recovery.changed': { run: RecoveryRun; previousState: RunState | null };
}

type Listener<T> = (payload: T) => void;

/** A small typed event bus; a throwing listener is logged by the caller, never breaks the emitter. */
export class CoreEvents {
  private listeners = new Map<keyof CoreEventMap, Set<Listener<never>>>();

  on<K extends keyof CoreEventMap>(name: K, fn: Listener<CoreEventMap[K]>): () => void {
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    set.add(fn as Listener<never>);
    return () => set.delete(fn as Listener<never>);
  }

  emit<K extends keyof CoreEventMap>(name: K, payload: CoreEventMap[K]): void {
    const set = this.listeners.get(name);
    if (!set) return;
    for (const fn of set) {
      try {
        (fn as Listener<CoreEventMap[K]>)(payload);
      } catch (err) {
        this.onListenerError(err, name);
      }
    }
  }

  onListenerError: (err: unknown, name: string) => void = () => {};
}
