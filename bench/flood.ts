// How the console holds up under a slowloris flood of its ingest port, at the caps derived
// from this machine's open-files limit: what the flood gets to hold, and how fast /healthz
// and a new agent are served meanwhile.
import WebSocket from 'ws';
import { slowloris } from '../test/helpers/flood.js';
import {
  AGENT_TOKEN,
  benchCore,
  count,
  ms,
  percentile,
  sleep,
  type BenchOptions,
  type Section,
} from './harness.js';

const SOURCES = Array.from({ length: 16 }, (_, i) => `127.0.0.${i + 2}`);

async function healthzTimes(apiUrl: string, n: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const res = await fetch(`${apiUrl}/healthz`);
    await res.text();
    times.push(performance.now() - t0);
  }
  return times;
}

/** Connect, hello → welcome, one batch → ack: ms. */
async function agentRoundTrip(ingestUrl: string, i: number): Promise<number> {
  const t0 = performance.now();
  const ws = new WebSocket(ingestUrl, { headers: { Authorization: `Bearer ${AGENT_TOKEN}` } });
  await new Promise((r, j) => (ws.once('open', r), ws.once('error', j)));
  const next = () => new Promise<unknown>((r) => ws.once('message', r));
  ws.send(
    JSON.stringify({
      type: 'hello',
      protocol: 1,
      hostname: `bench-${i}`,
      region: 'eu-west-1',
      agentType: 'system',
      version: 'bench',
    }),
  );
  await next();
  ws.send(
    JSON.stringify({
      type: 'metrics',
      seq: 1,
      samples: [{ name: 'cpu_usage', value: 1, ts: Date.now() }],
    }),
  );
  await next();
  const took = performance.now() - t0;
  ws.close();
  return took;
}

export async function floodResistance({ quick }: BenchOptions): Promise<Section> {
  const HEALTHZ = quick ? 10 : 50;
  const AGENTS_DURING = quick ? 3 : 10;
  const { core, ingestUrl, apiUrl, done } = await benchCore();
  const limits = core.netLimits!;
  const gauge = async (state: string) => {
    const values = (await core.metrics.connectionsOpen.get()).values;
    return values.find((v) => v.labels.port === 'ingest' && v.labels.state === state)?.value ?? 0;
  };
  const before = await healthzTimes(apiUrl, HEALTHZ);
  const agentBefore = await agentRoundTrip(ingestUrl, 0);
  const concurrency = limits.ingestMaxUnauthenticated * 2;
  const flood = slowloris({
    port: Number(new URL(ingestUrl).port),
    sources: SOURCES,
    concurrency,
    maxMs: 60_000,
  });
  const started = performance.now();
  while (flood.connected < concurrency && performance.now() - started < 20_000) await sleep(20);
  await sleep(1_000);
  const held = await gauge('handshake');
  const refusedAt = async () =>
    (await core.metrics.connectionsRefused.get()).values
      .filter((v) => v.labels.port === 'ingest')
      .reduce((sum, v) => sum + v.value, 0);
  const r0 = await refusedAt();
  const t0 = performance.now();
  const during = await healthzTimes(apiUrl, HEALTHZ);
  const agentsDuring: number[] = [];
  for (let i = 1; i <= AGENTS_DURING; i++) agentsDuring.push(await agentRoundTrip(ingestUrl, i));
  const perSecond = ((await refusedAt()) - r0) / ((performance.now() - t0) / 1000);
  await flood.stop({ destroy: true });
  await done();
  return {
    title: 'Slowloris flood of the ingest port (in-process core, caps derived from the fd limit)',
    command: 'npm run bench -- flood',
    figures: [
      {
        name: 'open-files limit → caps (unauthenticated total / per source / agents / API)',
        value: `${limits.fdLimit} → ${limits.ingestMaxUnauthenticated} / ${limits.ingestMaxUnauthenticatedPerSource} / ${limits.ingestMaxAgentConnections} / ${limits.apiMaxConnections}`,
      },
      {
        name: `flood: ${concurrency} trickling connections from ${SOURCES.length} addresses; held by it at once`,
        value: `${held} (cap ${limits.ingestMaxUnauthenticated})`,
      },
      { name: 'flood connections refused or cut per second', value: perSecond.toFixed(0) },
      {
        name: '/healthz p50 / p99, before the flood',
        value: `${ms(percentile(before, 50))} / ${ms(percentile(before, 99))}`,
      },
      {
        name: '/healthz p50 / p99, during the flood',
        value: `${ms(percentile(during, 50))} / ${ms(percentile(during, 99))}`,
      },
      { name: 'new agent connect → welcome → ack, before the flood', value: ms(agentBefore) },
      {
        name: `new agent connect → welcome → ack, during the flood (p50 / max of ${AGENTS_DURING})`,
        value: `${ms(percentile(agentsDuring, 50))} / ${ms(Math.max(...agentsDuring))}`,
      },
    ],
    notes: [
      `Flood: the slowloris generator runs in the same process (and event loop) as the core, so ` +
        `the agent figures during the flood include the generator reconnecting the ` +
        `${count(perSecond)} connections a second that were refused or cut.`,
    ],
  };
}
