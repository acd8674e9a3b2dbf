// Guarded auto-recovery, end to end through the real core: agents on real WebSockets whose
// hello offers `clean_tmp`, an automatic disk runbook (clean_tmp, verify disk_usage < 85),
// breaching samples in. Measured at the agent's side of the socket, as an agent sees it:
//   - breaching sample sent → `action` received by the agent (alert, incident, run, guardrails,
//     dispatch);
//   - `action_result` sent → the run concluded (verified), the next sample sent at once;
//   - an incident's time to recover (the console's own figure) with an agent that reports every
//     second and whose cleanup takes half a second.
import WebSocket from 'ws';
import type { ActionMessage } from '../shared/protocol.js';
import type { RecoveryRun, RunbookInput } from '../shared/recovery.js';
import {
  AGENT_TOKEN,
  benchCore,
  ms,
  percentile,
  sleep,
  type BenchOptions,
  type Section,
} from './harness.js';

/** Each crossing its own incident and its own run: no grouping, reopening, flapping or waits. */
const ONE_RUN_PER_CROSSING = {
  incidentGroupWindowMs: 0,
  incidentReopenWindowMs: 0,
  flapMaxFires: 1_000_000,
  notifyGroupWaitMs: 0,
  recoveryGraceMs: 0,
  // One recovery after another on few agents: the all-runbooks cap per agent out of the way.
  recoveryMaxRunsPerAgentPerHour: 1_000,
};

const RUNBOOK: RunbookInput = {
  id: 'disk',
  name: 'Free disk',
  mode: 'automatic',
  trigger: { ruleIds: ['disk_usage'] },
  steps: [
    { kind: 'action', action: 'clean_tmp', params: { dir: '/tmp' } },
    {
      kind: 'verify',
      condition: { type: 'metric', metric: 'disk_usage', comparator: '<', threshold: 85 },
      withinMs: 120_000,
    },
  ],
  // The bench runs one recovery after another on few agents: no cooldown, generous limits.
  guardrails: {
    cooldownMs: 0,
    maxRunsPerAgentPerHour: 60,
    maxRunsPerHour: 1000,
    maxRegionPercent: 100,
  },
};

interface BenchAgent {
  ws: WebSocket;
  id: string;
  actions: ActionMessage[];
  waiters: ((m: ActionMessage) => void)[];
  sample(value: number): void;
  result(msg: ActionMessage): void;
  close(): void;
}

let ts = Date.now();

async function agent(ingestUrl: string, hostname: string): Promise<BenchAgent> {
  const ws = new WebSocket(ingestUrl, { headers: { Authorization: `Bearer ${AGENT_TOKEN}` } });
  await new Promise((r) => ws.once('open', r));
  const a: BenchAgent = {
    ws,
    id: '',
    actions: [],
    waiters: [],
    sample: (value) => {
      ts = Math.max(Date.now(), ts + 1);
      ws.send(
        JSON.stringify({
          type: 'metrics',
          seq: ts,
          samples: [{ name: 'disk_usage', value, ts }],
        }),
      );
    },
    result: (msg) =>
      ws.send(
        JSON.stringify({
          type: 'action_result',
          id: msg.id,
          action: msg.action,
          status: 'succeeded',
          exitCode: 0,
          durationMs: 0,
          output: 'removed 12 files',
          outputTruncated: false,
        }),
      ),
    close: () => ws.close(),
  };
  const welcomed = new Promise<void>((resolve) =>
    ws.on('message', (d) => {
      const m = JSON.parse(String(d)) as { type: string; agentId?: string };
      if (m.type === 'welcome') {
        a.id = m.agentId!;
        resolve();
      }
      if (m.type !== 'action') return;
      const action = m as unknown as ActionMessage;
      const w = a.waiters.shift();
      if (w) w(action);
      else a.actions.push(action);
    }),
  );
  ws.send(
    JSON.stringify({
      type: 'hello',
      protocol: 1,
      hostname,
      region: 'us-east-1',
      agentType: 'system',
      version: 'bench',
      capabilities: { actions: ['clean_tmp'] },
    }),
  );
  await welcomed;
  return a;
}

function nextAction(a: BenchAgent, timeoutMs = 10_000): Promise<ActionMessage | null> {
  const ready = a.actions.shift();
  if (ready) return Promise.resolve(ready);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(null), timeoutMs);
    a.waiters.push((m) => {
      clearTimeout(timer);
      resolve(m);
    });
  });
}

/** Breaching sample → action at the agent; action done → verified. */
export async function recoveryLatency({ quick }: BenchOptions): Promise<Section> {
  const RUNS = quick ? 10 : 100;
  const AGENTS = 5;
  const { core, ingestUrl, done } = await benchCore(ONE_RUN_PER_CROSSING);
  await core.recovery.book.create(RUNBOOK, 'bench');
  const agents: BenchAgent[] = [];
  for (let i = 0; i < AGENTS; i++) agents.push(await agent(ingestUrl, `bench-${i}`));
  // Heartbeats, as a real agent sends them (a silent one goes offline and its region fails).
  const beat = setInterval(() => {
    for (const a of agents) a.ws.send(JSON.stringify({ type: 'heartbeat' }));
  }, 500);
  const concluded = new Map<string, () => void>();
  const off = core.events.on('recovery.changed', ({ run }) => {
    if (run.state === 'succeeded' || run.state === 'failed') concluded.get(run.agentId)?.();
  });
  const dispatch: number[] = [];
  const verify: number[] = [];
  let missed = 0;
  for (let k = 0; k < RUNS; k++) {
    const a = agents[k % AGENTS]!;
    const sentAt = performance.now();
    a.sample(98);
    const action = await nextAction(a);
    if (!action) {
      missed++;
      a.sample(40);
      continue;
    }
    dispatch.push(performance.now() - sentAt);
    const ended = new Promise<void>((resolve) => concluded.set(a.id, resolve));
    const doneAt = performance.now();
    a.result(action);
    a.sample(40);
    await Promise.race([ended, sleep(10_000)]);
    verify.push(performance.now() - doneAt);
    concluded.delete(a.id);
    await sleep(20);
  }
  off();
  clearInterval(beat);
  for (const a of agents) a.close();
  await done();
  const p99 = percentile(dispatch, 99);
  return {
    title: 'Recovery: breaching sample → action at the agent; action done → verification concluded',
    command: 'npm run bench -- recovery',
    figures: [
      { name: `runs (of ${RUNS} crossings)`, value: String(dispatch.length) },
      { name: 'sample → action received, p50', value: ms(percentile(dispatch, 50)) },
      {
        name: 'sample → action received, p99',
        value: ms(p99),
        target: '≤ 200 ms',
        met: p99 <= 200 && missed === 0,
      },
      { name: 'action done → verified, p50', value: ms(percentile(verify, 50)) },
      { name: 'action done → verified, p99', value: ms(percentile(verify, 99)) },
    ],
    notes: [
      'Sample → action covers the rule firing, the incident, the run, every guardrail, the records and the send, measured where the agent reads the socket.',
      'Action done → verified is measured with the agent sending its next sample at once: the console concludes on the first sample that holds. With a real agent, add up to one sample interval (1 s by default); a verification that never holds fails at the end of its window (withinMs, 2 min here) and escalates then.',
    ],
  };
}

/** The disk scenario: an agent reporting every second, a cleanup taking 500 ms. */
export async function recoveryMttr({ quick }: BenchOptions): Promise<Section> {
  const INCIDENTS = quick ? 3 : 10;
  const CLEANUP_MS = 500;
  const { core, ingestUrl, done } = await benchCore(ONE_RUN_PER_CROSSING);
  await core.recovery.book.create(RUNBOOK, 'bench');
  const a = await agent(ingestUrl, 'bench-mttr');
  let disk = 50;
  // The agent's collector: disk_usage every second, and heartbeats.
  const tick = setInterval(() => {
    a.sample(disk);
    a.ws.send(JSON.stringify({ type: 'heartbeat' }));
  }, 1_000);
  const mttr: number[] = [];
  for (let k = 0; k < INCIDENTS; k++) {
    disk = 98;
    const action = await nextAction(a, 30_000);
    if (!action) break;
    await sleep(CLEANUP_MS);
    disk = 41;
    a.result(action);
    const run = await waitRun(core, a.id, action.id);
    const figures = run && core.recovery.views.runs({ incident: run.incidentId }).figures[0];
    if (figures?.timeToRecoverMs != null) mttr.push(figures.timeToRecoverMs);
    await sleep(1_500);
  }
  clearInterval(tick);
  a.close();
  await done();
  const median = percentile(mttr, 50);
  return {
    title: 'Recovery: time to recover of the disk scenario (agent reporting every second)',
    command: 'npm run bench -- recovery-mttr',
    figures: [
      { name: `incidents recovered (of ${INCIDENTS})`, value: String(mttr.length) },
      {
        name: 'time to recover, median',
        value: ms(median),
        target: '≪ 5 min (the brief)',
        met: mttr.length === INCIDENTS && median < 300_000,
      },
      { name: 'time to recover, max', value: ms(Math.max(...mttr)) },
    ],
    notes: [
      `From the incident opening to it resolving by itself, as the console records it: the breaching sample, the action, a ${CLEANUP_MS} ms cleanup, then the next 1 s sample verifying it.`,
    ],
  };
}

/** The run of this action, once it has ended and its incident resolved. */
async function waitRun(
  core: Awaited<ReturnType<typeof benchCore>>['core'],
  agentId: string,
  actionId: string,
): Promise<RecoveryRun | null> {
  const deadline = performance.now() + 30_000;
  while (performance.now() < deadline) {
    const run = core.recovery.views
      .runs({ agent: agentId })
      .runs.find((r) => r.steps.some((s) => s.actionId === actionId));
    const incident = run && core.incidents.manager.get(run.incidentId);
    if (run && run.endedAt !== null && incident?.state === 'resolved') return run;
    await sleep(5);
  }
  return null;
}
