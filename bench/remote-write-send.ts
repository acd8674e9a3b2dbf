// Remote write out to a real VictoriaMetrics (Debian's `victoria-metrics`): how fast a
// console's samples reach it while it is up, and how fast a backlog drains after an outage.
// A real core, one agent over the real ingest WebSocket, the default sender settings (4 shards,
// 2,000 samples a request).
import WebSocket from 'ws';
import { AGENT_TOKEN, benchCore, count, type BenchOptions, type Section } from './harness.js';
import { VICTORIA_METRICS, VictoriaMetrics } from './victoria-metrics.js';

const SERIES = 200;

async function agent(
  url: string,
): Promise<{ send: (ts: number) => Promise<void>; close: () => void }> {
  const ws = new WebSocket(url, { headers: { Authorization: `Bearer ${AGENT_TOKEN}` } });
  await new Promise((r) => ws.once('open', r));
  const waiting: (() => void)[] = [];
  ws.on('message', (data) => {
    const msg = JSON.parse(String(data)) as { type: string };
    if (msg.type === 'welcome' || msg.type === 'ack') waiting.shift()?.();
  });
  const next = () => new Promise<void>((r) => waiting.push(r));
  const hello = next();
  ws.send(
    JSON.stringify({
      type: 'hello',
      protocol: 1,
      hostname: 'rw-bench',
      region: 'eu-west-1',
      agentType: 'system',
      version: 'bench',
    }),
  );
  await hello;
  let seq = 0;
  return {
    async send(ts) {
      const acked = next();
      ws.send(
        JSON.stringify({
          type: 'metrics',
          seq: ++seq,
          samples: Array.from({ length: SERIES }, (_, i) => ({
            name: 'bench_value',
            value: (ts % 1000) + i,
            ts,
            labels: { series: String(i) },
          })),
        }),
      );
      await acked;
    },
    close: () => ws.close(),
  };
}

async function until(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!cond()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export async function remoteWriteSend({ quick }: BenchOptions): Promise<Section> {
  const title = 'Remote write out: throughput to VictoriaMetrics and catch-up after an outage';
  const command = 'npm run bench -- remote-write-send';
  if (!VICTORIA_METRICS)
    return {
      title,
      command,
      figures: [
        { name: 'skipped', value: 'no victoria-metrics binary (apt-get install victoria-metrics)' },
      ],
    };
  const frames = quick ? 50 : 1_000;
  const base = Date.now() - 120_000;
  // 0. The same ingest without remote write: what the forward queue's fsync costs the ack.
  const plain = await benchCore();
  let ingestPlain: number;
  try {
    const a0 = await agent(plain.ingestUrl);
    const t = performance.now();
    for (let f = 0; f < frames; f++) await a0.send(base + f);
    ingestPlain = performance.now() - t;
    a0.close();
  } finally {
    await plain.done();
  }
  const vm = await VictoriaMetrics.start();
  const bench = await benchCore({ remoteWrite: [{ url: vm.writeUrl }] });
  const a = await agent(bench.ingestUrl);
  const status = () => bench.core.remoteWrite.status()[0]!;
  try {
    // 1. Up: the agent sends as fast as acks come; the time until the last sample is acked by VM.
    const t0 = performance.now();
    for (let f = 0; f < frames; f++) await a.send(base + f);
    const ingested = performance.now() - t0;
    await until(() => status().pending === 0 && status().sent === frames * SERIES, 300_000, 'sent');
    const live = performance.now() - t0;

    // 2. Down: the same again into the queue, then VM back and the backlog drained. The drain
    // is timed from the first sample VM acks after its return: before that the sender sits out
    // its backoff (up to 5 s after a long outage), a figure of its own.
    await vm.kill();
    for (let f = frames; f < 2 * frames; f++) await a.send(base + f);
    await until(() => status().pending === frames * SERIES, 60_000, 'the backlog queued');
    const sentBefore = status().sent;
    await vm.restart();
    const back = performance.now();
    await until(() => status().sent > sentBefore, 120_000, 'the first send after the outage');
    const t1 = performance.now();
    const cpu0 = process.cpuUsage();
    const firstSent = status().sent - sentBefore;
    await until(() => status().pending === 0, 600_000, 'the backlog sent');
    const drain = performance.now() - t1;
    const cpu = process.cpuUsage(cpu0);
    const backlog = frames * SERIES;
    const s = status();
    const rate = (n: number, ms: number) => count(n / (ms / 1000));
    return {
      title,
      command,
      figures: [
        {
          name: `live: ${count(frames * SERIES)} samples (${SERIES} series, ${SERIES} a batch) ingested and forwarded`,
          value: `${rate(frames * SERIES, live)} samples/s end to end`,
          note: `ingest ${rate(frames * SERIES, ingested)} samples/s with remote write, ${rate(frames * SERIES, ingestPlain)} without`,
        },
        {
          name: `catch-up: a backlog of ${count(backlog)} samples after an outage`,
          value: `${rate(backlog - firstSent, drain)} samples/s`,
          note: `first send ${((t1 - back) / 1000).toFixed(1)} s after VictoriaMetrics was back (the retry backoff); drained ${(drain / 1000).toFixed(2)} s after that`,
        },
        {
          name: 'console CPU per sample sent while catching up',
          value: `${((cpu.user + cpu.system) / (backlog - firstSent)).toFixed(2)} µs`,
        },
        {
          name: 'failed requests (the outage) / samples dropped',
          value: `${count(s.failed)} / ${count(s.dropped)}`,
        },
      ],
      notes: [
        `Live: the agent waits for each ack (WAL and forward queue fsynced) before its next batch, so the end-to-end rate is bounded by ingest. Catch-up reads the on-disk queue as fast as VictoriaMetrics 1.79 (Debian) acks, over ${s.shards} shards of up to 2,000 samples. CPU is this process's (the console's, ingest idle) while catching up; VictoriaMetrics' own is not counted.`,
      ],
    };
  } finally {
    a.close();
    await bench.done();
    await vm.stop();
  }
}
