// The host agent's answer to `action`: look the name up in its own actions file, check every
// parameter, the deadline and the approval, run at most one action at a time, journal it
// before it starts, and keep its result until the console acks it. The console never sends a
// command line: only a name and parameter values, which are refused unless the file allows them.
import type { Clock } from '../../shared/clock.js';
import { ACTION_REFUSALS } from '../../shared/protocol-codes.js';
import type { ActionResultMessage } from '../../shared/protocol.js';
import type { ActionsFile } from './actions-file.js';
import { renderArgv } from './argv.js';
import type { ActionEndpoint } from './endpoint.js';
import type { ExecOutcome, ExecRequest } from './executor.js';
import type { ActionJournal } from './journal.js';
import {
  dryRunResult,
  ranResult,
  readActionFrame,
  refusedResult,
  type ActionRequest,
} from './results.js';

export interface ActionRunnerOptions {
  /** The loaded actions file; null: no file, every action is refused `unknown_action`. */
  file: ActionsFile | null;
  journal: ActionJournal;
  executor: { run(req: ExecRequest): Promise<ExecOutcome> };
  clock: Clock;
  /** One line per action that ran or was refused (stdout of `meridian agent`). */
  log: (line: string) => void;
  /** Problems: a journal that cannot be written, a repeated id. */
  warn: (line: string) => void;
  /** After an action ends (the host agent re-reads its quota directories at once). */
  onActionDone?: (result: ActionResultMessage) => void;
}

export class ActionRunner implements ActionEndpoint {
  readonly actionNames: readonly string[];
  private send: (result: ActionResultMessage) => boolean = () => false;
  /** The console's clock minus ours, from the last welcome: deadlines are in its clock. */
  private skewMs = 0;
  private running: { id: string; action: string } | null = null;
  private idle: Promise<void> = Promise.resolve();

  constructor(private readonly opts: ActionRunnerOptions) {
    this.actionNames = [...(opts.file?.actions.keys() ?? [])];
    this.reportInterrupted();
  }

  /** The action running now, if any. */
  get current(): { id: string; action: string } | null {
    return this.running;
  }

  /** Resolves once no action is running (tests, shutdown). */
  whenIdle(): Promise<void> {
    return this.idle;
  }

  attach(send: (result: ActionResultMessage) => boolean): void {
    this.send = send;
  }

  onWelcome(serverTime: number): void {
    this.skewMs =
      Number.isFinite(serverTime) && serverTime > 0 ? serverTime - this.opts.clock.now() : 0;
    for (const r of this.opts.journal.results) this.send(r);
  }

  onActionAck(id: unknown): void {
    if (typeof id !== 'string') return;
    try {
      this.opts.journal.ack(id);
    } catch (err) {
      this.opts.warn(`action journal: could not record the ack of ${id}: ${errText(err)}`);
    }
  }

  onAction(raw: Record<string, unknown>): void {
    const frame = readActionFrame(raw);
    if (!('ok' in frame)) {
      if (frame.id === null) return this.opts.warn(`action ignored: ${frame.detail}`);
      return this.conclude(refusedResult(frame.id, frame.action, frame.code, frame.detail));
    }
    const req = frame.ok;
    if (this.running?.id === req.id) return; // a repeat of the one running: its result will come
    const held = this.opts.journal.result(req.id);
    if (held) return void this.send(held);
    if (this.opts.journal.wasAcked(req.id)) {
      return this.opts.warn(`action ${req.id} was already run and acked; not running it again`);
    }
    const decision = this.decide(req);
    if ('result' in decision) return this.conclude(decision.result);
    this.start(req, decision.argv, decision.timeoutMs, decision.bound);
  }

  private consoleNow(): number {
    return this.opts.clock.now() + this.skewMs;
  }

  /** A refusal or dry-run result, or what to run. */
  private decide(
    req: ActionRequest,
  ):
    | { result: ActionResultMessage }
    | { argv: string[]; timeoutMs: number; bound: 'timeoutMs' | 'deadline' } {
    const refuse = (
      code: Parameters<typeof refusedResult>[2],
      detail: string,
      argv?: string[],
    ) => ({
      result: refusedResult(req.id, req.action, code, detail, argv),
    });
    const def = this.opts.file?.actions.get(req.action);
    if (!def) {
      return refuse(
        ACTION_REFUSALS.unknownAction,
        this.opts.file
          ? `'${req.action}' is not in this agent's actions file (${this.opts.file.source})`
          : 'this agent has no actions file: it runs nothing',
      );
    }
    const rendered = renderArgv(def, req.params);
    if ('error' in rendered) return refuse(ACTION_REFUSALS.badParameter, rendered.error);
    const remaining = req.deadline - this.consoleNow();
    if (remaining <= 0) {
      return refuse(
        ACTION_REFUSALS.deadlinePassed,
        `its deadline passed ${Math.round(-remaining)} ms ago`,
      );
    }
    if (req.dryRun) return { result: dryRunResult(req.id, req.action, rendered.argv) };
    if (def.requiresApproval && !req.approvedBy) {
      return refuse(
        ACTION_REFUSALS.approvalRequired,
        `'${def.name}' requires an approval (approvedBy) in this agent's actions file`,
        rendered.argv,
      );
    }
    if (this.running) {
      return refuse(
        ACTION_REFUSALS.busy,
        `action ${this.running.id} (${this.running.action}) is still running; one at a time`,
        rendered.argv,
      );
    }
    const byDeadline = remaining < def.timeoutMs;
    return {
      argv: rendered.argv,
      timeoutMs: Math.max(1, Math.floor(byDeadline ? remaining : def.timeoutMs)),
      bound: byDeadline ? 'deadline' : 'timeoutMs',
    };
  }

  private start(
    req: ActionRequest,
    argv: string[],
    timeoutMs: number,
    bound: 'timeoutMs' | 'deadline',
  ): void {
    const def = this.opts.file!.actions.get(req.action)!;
    const startedAt = this.consoleNow();
    try {
      this.opts.journal.begin({
        id: req.id,
        action: req.action,
        argv,
        startedAt,
        localStartedAt: this.opts.clock.now(),
      });
    } catch (err) {
      // Unjournaled, a crash mid-action could not be reported as interrupted: do not run.
      return this.conclude(
        refusedResult(
          req.id,
          req.action,
          ACTION_REFUSALS.spawnFailed,
          `not started: the action journal could not be written (${errText(err)})`,
          argv,
        ),
      );
    }
    this.running = { id: req.id, action: req.action };
    this.idle = this.opts.executor
      .run({
        argv,
        timeoutMs,
        ...(def.user ? { user: def.user } : {}),
        env: { MERIDIAN_ACTION_ID: req.id, MERIDIAN_ACTION_NAME: req.action },
      })
      .then((outcome) => {
        this.running = null;
        if (outcome.status === 'spawn_failed') {
          return this.conclude(
            refusedResult(req.id, req.action, ACTION_REFUSALS.spawnFailed, outcome.detail, argv),
          );
        }
        const { status, ...fields } = outcome;
        this.conclude(
          ranResult(req.id, req.action, {
            status,
            ...fields,
            startedAt,
            argv,
            ...(status === 'timeout'
              ? {
                  reason:
                    bound === 'deadline'
                      ? `killed at the console's deadline (${timeoutMs} ms)`
                      : `killed at its timeoutMs (${timeoutMs} ms)`,
                }
              : {}),
          }),
        );
      })
      .catch((err: unknown) => {
        this.running = null;
        this.opts.warn(`action ${req.id} ${req.action}: ${errText(err)}`);
      });
  }

  /** Journal the result (kept until acked), send it, say it. */
  private conclude(result: ActionResultMessage): void {
    try {
      const dropped = this.opts.journal.finish(result);
      if (dropped > 0)
        this.opts.warn(`action journal full: the ${dropped} oldest unacked result(s) dropped`);
    } catch (err) {
      this.opts.warn(`action journal: could not record result ${result.id}: ${errText(err)}`);
    }
    this.send(result);
    this.opts.log(describe(result));
    this.opts.onActionDone?.(result);
  }

  /** A previous process stopped while an action ran: its outcome is unknown, never "done". */
  private reportInterrupted(): void {
    const entry = this.opts.journal.inFlight;
    if (!entry) return;
    this.conclude(
      ranResult(entry.id, entry.action, {
        status: 'interrupted',
        exitCode: null,
        startedAt: entry.startedAt,
        // From its start until this process found it (how long at least it ran, or lay dead).
        durationMs: Math.max(
          0,
          this.opts.clock.now() - (entry.localStartedAt ?? this.opts.clock.now()),
        ),
        output: '',
        outputTruncated: false,
        argv: entry.argv,
        reason: 'the agent stopped (crash or restart) while the action ran; its outcome is unknown',
      }),
    );
  }
}

function describe(r: ActionResultMessage): string {
  const what = `action ${r.id} ${r.action}: ${r.status}`;
  if (r.status === 'refused') return `${what} (${r.reason}: ${r.output})`;
  if (r.status === 'dry_run') return `${what}, ${r.output}`;
  if (r.status === 'interrupted') return `${what} (${r.reason})`;
  return `${what}, exit ${r.exitCode ?? r.signal ?? '?'} after ${r.durationMs} ms`;
}

const errText = (err: unknown) => (err instanceof Error ? err.message : String(err));
