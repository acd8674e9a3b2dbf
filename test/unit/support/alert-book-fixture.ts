import { AlertBook, type AlertReport } from '../../../electron/core/incidents/alert-book.js';
import { ManualClock } from '../../../electron/core/clock.js';
import { CoreEvents, type CoreEventMap } from '../../../electron/core/events.js';
import { counterIds } from '../../../electron/core/ids.js';
import type { AlertState, Severity } from '../../../shared/model.js';

/** Shared set-up for the AlertBook unit tests (alert-book-*.test.ts). */

export const T0 = 1_700_000_000_000;

export function setup(opts: { maxResolved?: number } = {}) {
  const clock = new ManualClock(T0);
  const events = new CoreEvents();
  const changes: { id: string; state: AlertState; previousState: AlertState | null }[] = [];
  events.on('alert.changed', ({ alert, previousState }: CoreEventMap['alert.changed']) =>
    changes.push({ id: alert.id, state: alert.state, previousState }),
  );
  const fired: { id: string; severity: Severity; latency: number | null }[] = [];
  const book = new AlertBook({
    clock,
    ids: counterIds(),
    events,
    maxResolved: opts.maxResolved ?? 100,
    onFired: (alert, latency) => fired.push({ id: alert.id, severity: alert.severity, latency }),
  });
  return { clock, events, book, changes, fired };
}

export function report(over: Partial<AlertReport> = {}): AlertReport {
  return {
    ruleId: 'cpu_usage',
    subjectKey: 'agt-1/cpu_usage',
    subject: { kind: 'agent', regionId: 'us-east-1', agentId: 'agt-1' },
    severity: 'warning',
    message: 'CPU busy',
    metric: 'cpu_usage',
    value: 85,
    threshold: 80,
    sampleArrivedAt: null,
    arrivedMono: null,
    forMs: 0,
    ...over,
  };
}
