// Browser notifications for runs awaiting approval ("Approve clean_tmp on db-2?"); clicking
// one opens its incident, where Approve and Decline are. Never in the desktop window: there
// the main process shows native ones, with an Approve action. Runs come with the stream (the
// store's `runs`); the runbooks, which name the action, are fetched when a run needs one.
import type { RecoveryRun, Runbook } from '../../../shared/recovery';
import type { ApiClient } from '../api/http';
import type { FleetStore } from '../api/store';
import { approvalNotices, seedApprovals, type ApprovalNotice } from './approval-notices';
import { runAction } from './recovery-text';
import { navigate } from './route';

export class ApprovalNotifier {
  private shown: Set<string> | null = null;
  private runbooks = new Map<string, Runbook>();
  private off: (() => void) | null = null;
  private readonly open = new Map<string, Notification>();
  /** One look at a time, in the order the stream brought the runs. */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly api: ApiClient,
    private readonly store: FleetStore,
  ) {}

  start(): void {
    this.off = this.store.onRunUpdates((_runs, snapshot) => {
      this.queue = this.queue.then(() => this.look(snapshot));
    });
  }

  stop(): void {
    this.off?.();
  }

  private async look(snapshot: boolean): Promise<void> {
    const runs = [...this.store.getState().runs.values()];
    // What the first snapshot holds is not news: the incident page lists it.
    if (this.shown === null) {
      if (snapshot) this.shown = seedApprovals(runs);
      return;
    }
    const unnamed = runs.some(
      (r) =>
        r.state === 'awaiting_approval' &&
        !this.shown!.has(r.id) &&
        !this.runbooks.has(r.runbookId),
    );
    if (unnamed) await this.loadRunbooks();
    const { agents, incidents } = this.store.getState();
    const out = approvalNotices(this.shown, runs, {
      hostname: (id) => agents.get(id)?.hostname ?? null,
      incidentTitle: (id) => incidents.get(id)?.title ?? null,
      actionOf: (run: RecoveryRun) =>
        runAction(run, this.runbooks.get(run.runbookId), new Map()).name,
    });
    this.shown = out.shown;
    for (const id of out.gone) {
      this.open.get(id)?.close();
      this.open.delete(id);
    }
    if (typeof window === 'undefined' || !('Notification' in window)) return;
    if (window.Notification.permission !== 'granted') return;
    for (const notice of out.notices) this.show(notice);
  }

  private async loadRunbooks(): Promise<void> {
    try {
      const { runbooks } = await this.api.get('GET /api/v1/runbooks');
      this.runbooks = new Map(runbooks.map((b) => [b.id, b]));
    } catch {
      // Unreachable: the notification names the runbook instead of its action.
    }
  }

  private show(notice: ApprovalNotice): void {
    try {
      const n = new window.Notification(notice.title, {
        body: notice.body,
        tag: notice.tag,
        requireInteraction: true,
      });
      n.onclick = () => {
        window.focus();
        navigate('incidents', notice.incidentId);
        n.close();
      };
      this.open.set(notice.runId, n);
    } catch {
      // Some platforms only allow notifications from a service worker; the incident page shows it.
    }
  }
}
