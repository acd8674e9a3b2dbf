// Native "Approve clean_tmp on db-2?" notifications for recovery runs awaiting approval: which
// runs to notify (each once, when it comes to wait), the notification itself (an Approve button
// where the OS has notification actions: macOS and Windows; elsewhere a click opens the
// incident), and the approval, sent through the same REST route as the incident page's button,
// so the core checks, records and audits it the same way. Plain functions and one small class
// over injected parts: main.ts wires them to Electron; tests run them under Node.
import type { NotificationConstructorOptions } from 'electron';
import type { Clock, TimerHandle } from '../../shared/clock.js';
import type { RecoveryRoutes, RecoveryRun, Runbook } from '../../shared/recovery.js';
import { approvalTitle, runsToNotify } from '../../shared/recovery-approvals.js';

export { actionName, runsToNotify } from '../../shared/recovery-approvals.js';

/** What the watcher knows of the runs: the latest ones (newest first) and the runbooks. */
export interface RunsView {
  runs: readonly RecoveryRun[];
  runbooks: readonly Runbook[];
}

/** Electron shows notification buttons on macOS and Windows only. */
export function hasNotificationActions(platform: NodeJS.Platform): boolean {
  return platform === 'darwin' || platform === 'win32';
}

export interface ApprovalNotification {
  runId: string;
  incidentId: string;
  /** Electron's options, less the icon (main.ts adds it). */
  options: NotificationConstructorOptions;
  /** Index in `options.actions` of Approve, or null where there are no buttons. */
  approveIndex: number | null;
}

export function approvalNotification(
  run: RecoveryRun,
  ctx: { action: string; hostname: string | null; incidentTitle: string | null },
  platform: NodeJS.Platform,
): ApprovalNotification {
  const buttons = hasNotificationActions(platform);
  const host = ctx.hostname ?? run.agentId;
  const body = [
    `runbook ${run.runbookName}`,
    ctx.incidentTitle,
    run.reason,
    buttons ? null : 'click to open the incident',
  ]
    .filter(Boolean)
    .join(' · ');
  return {
    runId: run.id,
    incidentId: run.incidentId,
    options: {
      title: approvalTitle(ctx.action, host),
      body,
      urgency: 'critical',
      timeoutType: 'never',
      ...(buttons
        ? { actions: [{ type: 'button' as const, text: 'Approve' }], closeButtonText: 'Later' }
        : {}),
    },
    approveIndex: buttons ? 0 : null,
  };
}

type ApproveResponse = RecoveryRoutes['POST /api/v1/incidents/:id/approve']['response'];

export type ApproveOutcome =
  { ok: true; runs: ApproveResponse['runs'] } | { ok: false; status: number; message: string };

/**
 * POST /api/v1/incidents/:id/approve for one run, as `by` (the desktop's operator). Never
 * throws: an unreachable core or a refusal (the run no longer waits, a guardrail) comes back as
 * the outcome, for the shell to say.
 */
export async function approveRun(
  fetchFn: typeof fetch,
  api: { base: string; token: string },
  run: Pick<RecoveryRun, 'id' | 'incidentId'>,
  by: string | null,
): Promise<ApproveOutcome> {
  const url = `${api.base.replace(/\/+$/, '')}/api/v1/incidents/${encodeURIComponent(run.incidentId)}/approve`;
  const body: RecoveryRoutes['POST /api/v1/incidents/:id/approve']['body'] = {
    runId: run.id,
    ...(by ? { by } : {}),
  };
  try {
    const res = await fetchFn(url, {
      method: 'POST',
      headers: { Authorization: `Bearer ${api.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: said by status below
    }
    if (res.ok) return { ok: true, runs: (json as ApproveResponse | null)?.runs ?? [] };
    const message =
      (json as { error?: { message?: string } } | null)?.error?.message ?? `HTTP ${res.status}`;
    return { ok: false, status: res.status, message };
  } catch (err) {
    return {
      ok: false,
      status: 0,
      message: `the console does not answer (${(err as Error).message})`,
    };
  }
}

/** GET the latest runs and the runbooks over REST (the notification names the action). */
export async function fetchRunsView(
  fetchFn: typeof fetch,
  api: { base: string; token: string },
  limit = 50,
): Promise<RunsView> {
  const get = async <T>(path: string): Promise<T> => {
    const res = await fetchFn(`${api.base.replace(/\/+$/, '')}${path}`, {
      headers: { Authorization: `Bearer ${api.token}`, Accept: 'application/json' },
    });
    if (!res.ok) throw new Error(`GET ${path}: HTTP ${res.status}`);
    return (await res.json()) as T;
  };
  type Runs = RecoveryRoutes['GET /api/v1/recovery/runs']['response'];
  type Books = RecoveryRoutes['GET /api/v1/runbooks']['response'];
  const [runs, books] = await Promise.all([
    get<Runs>(`/api/v1/recovery/runs?limit=${limit}`),
    get<Books>('/api/v1/runbooks'),
  ]);
  return { runs: runs.runs, runbooks: books.runbooks };
}

export interface ApprovalWatcherDeps {
  clock: Clock;
  load(): Promise<RunsView>;
  /** Show a notification; returns its closer. */
  show(run: RecoveryRun, view: RunsView): () => void;
  /** Also ask this often (none: only when poked). */
  pollMs?: number;
}

/**
 * Keeps one notification per run awaiting approval: loads the runs at start and on `poke()`
 * (the core's `recovery.changed`), shows the new ones and closes those that stopped waiting.
 * Runs already waiting at the first load are notified too: the desktop app just started, and
 * nothing else has told the operator.
 */
export class ApprovalWatcher {
  private shown = new Set<string>();
  private readonly closers = new Map<string, () => void>();
  private timer: TimerHandle | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  constructor(private readonly deps: ApprovalWatcherDeps) {}

  start(): void {
    if (this.deps.pollMs)
      this.timer = this.deps.clock.setInterval(() => this.poke(), this.deps.pollMs);
    void this.poke();
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
  }

  /** Check now (coalesced: one load at a time, one more if poked meanwhile). */
  poke(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.check();
      } while (this.again && !this.stopped);
      this.running = null;
    })();
    return this.running;
  }

  /** Run ids with a notification up now. */
  showing(): string[] {
    return [...this.closers.keys()];
  }

  private async check(): Promise<void> {
    let view: RunsView;
    try {
      view = await this.deps.load();
    } catch {
      return; // the next poke or poll tries again
    }
    if (this.stopped) return;
    const out = runsToNotify(this.shown, view.runs);
    this.shown = out.shown;
    for (const id of out.gone) {
      this.closers.get(id)?.();
      this.closers.delete(id);
    }
    for (const run of out.notify) this.closers.set(run.id, this.deps.show(run, view));
  }
}

/**
 * Who approves from a notification: the one configured operator; else the OS user, when the
 * console knows that name (or names nobody). Null: the core must be told, and the approval
 * refused for it sends the operator to the incident page, where the viewer's name is known.
 */
export function approverFor(operators: readonly string[], osUser: string | null): string | null {
  if (operators.length === 1) return operators[0]!;
  if (osUser && (operators.length === 0 || operators.includes(osUser))) return osUser;
  return null;
}

/** The notice shown when an approval from a notification did not go through. */
export function approvalFailedNotification(
  approving: Pick<ApprovalNotification, 'options'>,
  outcome: Extract<ApproveOutcome, { ok: false }>,
): NotificationConstructorOptions {
  const what = (approving.options.title ?? '').replace(/^Approve /, '').replace(/\?$/, '');
  return {
    title: `Not approved: ${what}`,
    body: `${outcome.message} · click to open the incident`,
    urgency: 'critical',
    timeoutType: 'never',
  };
}
