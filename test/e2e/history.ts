// Agents with a past, for charts and trends that need more than the seconds a fresh
// simulator has: a raw ingest connection (as test/helpers/core.ts opens them) that reports an
// hour of history with past timestamps, oldest first, then keeps reporting once a second with
// heartbeats, so the series continues live and the agent stays online. `startSimHistory` does
// the same for the simulator's own virtual agents (their values, on a clock set an hour back).
import { Simulator } from '../../agent/simulator.js';
import { ManualClock } from '../../shared/clock.js';
import type { AgentType } from '../../shared/model.js';
import type { Sample } from '../../shared/protocol.js';
import { hello, openIngest } from '../helpers/core.js';
import { AGENT_TOKEN, type Stack } from './stack.js';

const HOUR_MS = 3_600_000;
/** Samples per batch: well inside the protocol's 256 KiB frame. */
const MAX_BATCH = 1_000;

export interface ProbeSpec {
  hostname: string;
  region: string;
  type: AgentType;
  /**
   * Each series by a key (the metric name unless `name` says otherwise): its value at `h`
   * hours since the history began (1 = now), `ts` for noise.
   */
  metrics: Record<
    string,
    {
      name?: string;
      labels?: Record<string, string>;
      unit?: string;
      at(h: number, ts: number): number;
    }
  >;
  historyMs?: number;
  /** Spacing of the historical samples. */
  everyMs?: number;
  /** After the history, keep reporting once a second (default) or only send heartbeats. */
  live?: boolean;
}

export interface Probe {
  agentId: string;
  stop(): Promise<void>;
}

/** Deterministic noise in [−0.5, 0.5) from a timestamp (screenshots stay the same run to run). */
export function jitter(ts: number, k = 0): number {
  const s = Math.sin((ts / 1000) * 0.731 + k * 1.37) * 43_758.5453;
  return s - Math.floor(s) - 0.5;
}

export async function startProbe(stack: Stack, spec: ProbeSpec): Promise<Probe> {
  const historyMs = spec.historyMs ?? HOUR_MS;
  const everyMs = spec.everyMs ?? 30_000;
  const conn = await openIngest(stack.ingestUrl, AGENT_TOKEN);
  conn.send(hello({ hostname: spec.hostname, region: spec.region, agentType: spec.type }));
  const { agentId } = await conn.next<{ agentId: string }>('welcome');
  const start = Date.now() - historyMs;
  const samplesAt = (ts: number) =>
    Object.entries(spec.metrics).map(([key, m]) => ({
      name: m.name ?? key,
      value: Math.round(m.at((ts - start) / HOUR_MS, ts) * 1000) / 1000,
      ts,
      kind: 'gauge' as const,
      ...(m.unit ? { unit: m.unit } : {}),
      ...(m.labels ? { labels: m.labels } : {}),
    }));
  let seq = 0;
  let batch: ReturnType<typeof samplesAt> = [];
  const flush = async () => {
    if (batch.length === 0) return;
    conn.send({ type: 'metrics', seq: ++seq, samples: batch });
    batch = [];
    await Promise.race([
      conn.next('ack'),
      conn.closed.then(({ code, reason }) => {
        throw new Error(`ingest closed the probe's connection: ${code} ${reason}`);
      }),
    ]);
  };
  // Up to a second ago, so the live samples continue the line without a hole.
  const end = Date.now() - 1_000;
  const times: number[] = [];
  for (let ts = start; ts < end; ts += everyMs) times.push(ts);
  times.push(end);
  for (const ts of times) {
    const samples = samplesAt(ts);
    if (batch.length + samples.length > MAX_BATCH) await flush();
    batch.push(...samples);
  }
  await flush();
  const timer = setInterval(() => {
    conn.send({ type: 'heartbeat' });
    if (spec.live ?? true)
      conn.send({ type: 'metrics', seq: ++seq, samples: samplesAt(Date.now()) });
  }, 1_000);
  return {
    agentId,
    async stop() {
      clearInterval(timer);
      await conn.close();
    },
  };
}

export interface SimHistory {
  sim: Simulator;
  /** The console's agent id of each of `sim.agents`, in order. */
  agentIds: string[];
  stop(): Promise<void>;
}

/**
 * The simulator's virtual agents with an hour of their own history: a Simulator on a manual
 * clock set `historyMs` back produces its samples a second at a time, exactly as it would live
 * (daily cycle, noise, disks filling at its pace); every `keepEveryMs` of them is reported with
 * its past timestamp over one raw ingest connection per agent, oldest first. Then each agent
 * goes on live, once a second, with heartbeats.
 */
export async function startSimHistory(
  stack: Stack,
  opts: {
    agents: number;
    seed: number;
    region: string;
    historyMs?: number;
    keepEveryMs?: number;
    /** As SimulatorOptions.fillingDiskEvery. */
    fillingDiskEvery?: number;
  },
): Promise<SimHistory> {
  const historyMs = opts.historyMs ?? HOUR_MS;
  const keepEvery = Math.max(1, Math.round((opts.keepEveryMs ?? 10_000) / 1_000));
  const clock = new ManualClock(Date.now() - historyMs);
  const sim = new Simulator({
    url: stack.ingestUrl,
    token: AGENT_TOKEN,
    agents: opts.agents,
    seed: opts.seed,
    clock,
    regions: [opts.region],
    ...(opts.fillingDiskEvery ? { fillingDiskEvery: opts.fillingDiskEvery } : {}),
  });
  const conns = await Promise.all(
    sim.agents.map(async (a) => {
      const conn = await openIngest(stack.ingestUrl, AGENT_TOKEN);
      conn.send(hello({ hostname: a.hostname, region: a.region, agentType: a.type }));
      const { agentId } = await conn.next<{ agentId: string }>('welcome');
      return { conn, agentId, seq: 0, batch: [] as Sample[] };
    }),
  );
  const flush = async (c: (typeof conns)[number]) => {
    if (c.batch.length === 0) return;
    c.conn.send({ type: 'metrics', seq: ++c.seq, samples: c.batch });
    c.batch = [];
    await c.conn.next('ack');
  };
  const end = Date.now() - 1_000;
  for (let tick = 1; clock.now() < end; tick++) {
    clock.advance(1_000);
    for (const [i, a] of sim.agents.entries()) {
      // Every second, as the simulator does (its disks grow per sample); reported sparser.
      const samples = sim.samplesFor(a);
      if (tick % keepEvery !== 0) continue;
      const c = conns[i]!;
      if (c.batch.length + samples.length > MAX_BATCH) await flush(c);
      c.batch.push(...samples);
    }
  }
  await Promise.all(conns.map(flush));
  const timer = setInterval(() => {
    clock.advance(Math.max(0, Date.now() - clock.now()));
    for (const [i, a] of sim.agents.entries()) {
      const c = conns[i]!;
      c.conn.send({ type: 'heartbeat' });
      c.conn.send({ type: 'metrics', seq: ++c.seq, samples: sim.samplesFor(a) });
    }
  }, 1_000);
  return {
    sim,
    agentIds: conns.map((c) => c.agentId),
    async stop() {
      clearInterval(timer);
      await Promise.all(conns.map((c) => c.conn.close()));
    },
  };
}
