// Agents with a past, for charts and trends that need more than the seconds a fresh
// simulator has: a raw ingest connection (as test/helpers/core.ts opens them) that reports an
// hour of history with past timestamps, oldest first, then keeps reporting once a second with
// heartbeats, so the series continues live and the agent stays online.
import type { AgentType } from '../../shared/model.js';
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
