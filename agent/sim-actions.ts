// SIMULATED actions for `meridian simulate`'s virtual agents: nothing runs. Each virtual agent
// has the real ActionRunner (the same refusals, dry runs, busy, deadline, resend-until-ack) over
// an in-memory journal and a simulated executor, which answers after a short simulated duration
// and changes the virtual agent's figures the way the real action would change a host's:
// clean_tmp brings its disk back to a healthy level, restart_service ends a scripted cpu spike.
import type { Clock } from '../shared/clock.js';
import type { ActionResultMessage } from '../shared/protocol.js';
import { ActionRunner } from './actions/action-runner.js';
import { parseActionsFile, type ActionsFile } from './actions/actions-file.js';
import type { ExecOutcome, ExecRequest } from './actions/executor.js';
import { ActionJournal, MemoryJournalStore } from './actions/journal.js';

/** What a simulated action does to its virtual agent. */
export interface SimulatedHost {
  /** Disk usage back to a healthy value (40–55 %). */
  cleanDisk(): { percent: number };
  /** A scripted cpu spike ends. */
  endCpuSpike(): void;
}

/** How long a simulated action takes (simulated clock). */
export const SIMULATED_ACTION_MS = 1_500;

/** The simulated agents' actions file: the shipped examples' clean_tmp and restart_service. */
const SIMULATED_ACTIONS_JSON = JSON.stringify({
  actions: [
    {
      name: 'clean_tmp',
      description: 'SIMULATED: delete files older than N days under /tmp or /var/tmp',
      argv: [
        'meridian-clean-tmp',
        '--allow',
        '/tmp',
        '--allow',
        '/var/tmp',
        '--older-than-days',
        '{days}',
        '{dir}',
      ],
      params: {
        dir: { pattern: '^/(tmp|var/tmp)(/[A-Za-z0-9_][A-Za-z0-9_.-]*)*$', default: '/tmp' },
        days: { pattern: '^[0-9]{1,3}$', default: '7' },
      },
      timeoutMs: 120_000,
    },
    {
      name: 'restart_service',
      description: 'SIMULATED: restart one of the allow-listed systemd units',
      argv: ['/usr/bin/systemctl', 'restart', '{unit}'],
      params: {
        unit: {
          pattern: '^(nginx|postgresql|redis-server|app)\\.service$',
          default: 'app.service',
        },
      },
      timeoutMs: 60_000,
    },
  ],
});

let parsed: ActionsFile | null = null;

/** Parsed once, shared by every virtual agent (it is never changed). */
export function simulatedActionsFile(): ActionsFile {
  parsed ??= parseActionsFile(SIMULATED_ACTIONS_JSON, { source: 'simulated actions' });
  return parsed;
}

/** Runs nothing: waits SIMULATED_ACTION_MS on the simulated clock, then applies the effect. */
export class SimulatedExecutor {
  constructor(
    private readonly clock: Clock,
    private readonly host: SimulatedHost,
  ) {}

  run(req: ExecRequest): Promise<ExecOutcome> {
    const started = this.clock.monotonic();
    return new Promise((resolve) => {
      this.clock.setTimeout(() => {
        const output = this.apply(req);
        resolve({
          status: 'succeeded',
          exitCode: 0,
          signal: null,
          durationMs: Math.round(this.clock.monotonic() - started),
          output,
          outputTruncated: false,
        });
      }, SIMULATED_ACTION_MS);
    });
  }

  private apply(req: ExecRequest): string {
    switch (req.env?.MERIDIAN_ACTION_NAME) {
      case 'clean_tmp': {
        const { percent } = this.host.cleanDisk();
        return `simulated: nothing ran; disk usage set to ${percent.toFixed(1)} %\n`;
      }
      case 'restart_service':
        this.host.endCpuSpike();
        return `simulated: nothing ran; ${req.argv.at(-1)} "restarted", cpu spike ended\n`;
      default:
        return 'simulated: nothing ran\n';
    }
  }
}

export function simulatedActionRunner(opts: {
  clock: Clock;
  host: SimulatedHost;
  log?: (line: string) => void;
  onActionDone?: (result: ActionResultMessage) => void;
}): ActionRunner {
  const log = opts.log ?? (() => {});
  return new ActionRunner({
    file: simulatedActionsFile(),
    journal: new ActionJournal(new MemoryJournalStore()),
    executor: new SimulatedExecutor(opts.clock, opts.host),
    clock: opts.clock,
    log,
    warn: log,
    ...(opts.onActionDone ? { onActionDone: opts.onActionDone } : {}),
  });
}
