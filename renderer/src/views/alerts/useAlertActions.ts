// Acknowledge and resolve from the alert queue: by keyboard, bulk bar, row buttons or the detail
// pane. Acks go to the core at once; resolves wait out their undo window (api/resolve-hold).
// While the core cannot be reached nothing is sent: the caller gets the reason to show.
import { useState } from 'react';
import type { Alert } from '../../../../shared/model';
import { runAlertAction, type AlertAction } from '../../api/actions';
import { useServices } from '../../api/context';
import { useActionBlock } from '../../components/stale';
import { plural } from '../../lib/format';

/** Where an action was asked from: its error is shown there, next to what was pressed. */
export type ActionSource = 'queue' | 'detail';

export interface ActionError {
  where: ActionSource;
  text: string;
}

interface Options {
  list: readonly Alert[];
  alerts: ReadonlyMap<string, Alert>;
  held: ReadonlySet<string>;
  focusedId: string | null;
  focus(id: string | null): void;
  unselect(ids: readonly string[]): void;
}

function applies(a: Alert | undefined, action: AlertAction, held: ReadonlySet<string>): boolean {
  if (!a || held.has(a.id)) return false;
  return action === 'resolve'
    ? a.state !== 'resolved'
    : a.state === 'firing' || a.state === 'pending';
}

export function useAlertActions(o: Options) {
  const { api, store, resolves } = useServices();
  const blocked = useActionBlock();
  const [busy, setBusy] = useState<ReadonlySet<string>>(new Set());
  const [error, setError] = useState<ActionError | null>(null);

  /** The acted rows leave this tab: keep the focus where they were (next row, else previous). */
  const moveFocusOff = (targets: readonly string[]) => {
    const index = o.focusedId ? o.list.findIndex((a) => a.id === o.focusedId) : -1;
    if (index < 0 || !targets.includes(o.focusedId!)) return;
    const after = o.list.slice(index + 1).find((a) => !targets.includes(a.id));
    const before = o.list
      .slice(0, index)
      .reverse()
      .find((a) => !targets.includes(a.id));
    o.focus((after ?? before)?.id ?? null);
  };

  /**
   * Act on these alerts (those the action applies to). Resolves true when it was done (a resolve:
   * held), so the caller can clear its comment; false when refused or failed (error set).
   */
  const act = async (
    action: AlertAction,
    ids: readonly string[],
    where: ActionSource,
    comment?: string,
  ): Promise<boolean> => {
    setError(null);
    if (blocked) {
      setError({ where, text: blocked });
      return false;
    }
    const targets = ids.filter((id) => applies(o.alerts.get(id), action, o.held));
    if (targets.length === 0) return false;
    o.unselect(targets);
    // From the detail pane an ack keeps the alert in view (it shows who acknowledged it).
    if (where === 'queue' || action === 'resolve') moveFocusOff(targets);
    if (action === 'resolve') {
      resolves.hold(targets, comment);
      return true;
    }
    setBusy((b) => new Set([...b, ...targets]));
    const outcome = await runAlertAction(api, store, action, targets, comment);
    setBusy((b) => new Set([...b].filter((id) => !targets.includes(id))));
    if (outcome.failed.length === 0) return true;
    const n = outcome.failed.length;
    setError({
      where,
      text: `Could not acknowledge ${n === targets.length && n === 1 ? 'the alert' : `${n} of ${plural(targets.length, 'alert')}`}: ${outcome.failed[0]!.message}.`,
    });
    return false;
  };

  /** Undo the latest resolve still held (the `u` key). */
  const undoLast = () => {
    const last = [...resolves.list()].reverse().find((e) => e.status === 'held');
    if (last) resolves.undo(last.key);
  };

  return { act, undoLast, busy, error, blocked };
}
