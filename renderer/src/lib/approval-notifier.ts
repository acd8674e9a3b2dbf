// Browser notifications for runs awaiting approval ("Approve clean_tmp on db-2?"); clicking
// one opens its incident, where Approve and Decline are. Never in the desktop window: there
// the main process shows native ones, with an Approve action. Runs are fetched when the stream
// says they changed (and after a reconnect), and every POLL_MS in case a message was missed.
import { systemClock, type TimerHandle } from '../../../shared/clock';
import type { RecoveryRun, Runbook } from '../../../shared/recovery';
import type { ApiClient } from '../api/http';
import { recoveryCall } from '../api/recovery';
import type { FleetStore } from '../api/store';
import type { StreamClient } from '../api/stream';
import { approvalNotices, seedApprovals, type ApprovalNotice } from './approval-notices';
import { runAction } from './recovery-text';
import { navigate } from './route';

const POLL_MS = 10_000;
const RUNS_LIMIT = '50';

export class ApprovalNotifier {
  private shown: Set<string> | null = null;
  private timer: TimerHandle | null = null;
  private off: (() => void) | null = null;
  private readonly open = new Map<string, Notification>();

  constructor(
    private readonly api: ApiClient,
    private readonly store: FleetStore,
    private readonly stream: StreamClient,
  ) {}

  start(): void {
    this.off = this.stream.onMessage((msg) => {
      if (msg.type === 'snapshot' || msg.type.startsWith('recovery')) void this.check();
    });
    this.timer = systemClock.setInterval(() => void this.check(), POLL_MS);
    void this.check();
  }

  stop(): void {
    this.off?.();
    this.timer?.cancel();
  }

  private async check(): Promise<void> {
    let runs: RecoveryRun[];
    let runbooks: Runbook[];
    try {
      [runs, runbooks] = await Promise.all([
        recoveryCall(this.api, 'GET /api/v1/recovery/runs', { query: { limit: RUNS_LIMIT } }).then(
          (r) => r.runs,
        ),
        recoveryCall(this.api, 'GET /api/v1/runbooks').then((r) => r.runbooks),
      ]);
    } catch {
      return; // unreachable, or a console without recovery: the next check tries again
    }
    if (this.shown === null) {
      this.shown = seedApprovals(runs);
      return;
    }
    const { agents, incidents } = this.store.getState();
    const out = approvalNotices(this.shown, runs, {
      hostname: (id) => agents.get(id)?.hostname ?? null,
      incidentTitle: (id) => incidents.get(id)?.title ?? null,
      actionOf: (run) =>
        runAction(
          run,
          runbooks.find((b) => b.id === run.runbookId),
          new Map(),
        ).name,
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
