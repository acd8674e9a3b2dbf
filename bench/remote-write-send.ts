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
  const vm = await VictoriaMetrics.start();
  const bench = await benchCore({ remoteWrite: [{ url: vm.writeUrl }] });
  const a = await agent(bench.ingestUrl);
  const status = () => bench.core.remoteWrite.status()[0]!;
  try {
    const base = Date.now() - 120_000;
    // 1. Up: the agent sends as fast as acks come; the time until the last sample is acked by VM.
    const t0 = performance.now();
    for (let f = 0; f < frames; f++) await a.send(base + f);
    const ingested = performance.now() - t0;
    await until(() => status().pending === 0 && status().sent === frames * SERIES, 300_000, 'sent');
    const live = performance.now() - t0;

    // 2. Down: the same again into the queue, then VM back and the backlog drained.
    await vm.kill();
    for (let f = frames; f < 2 * frames; f++) await a.send(base + f);
    await until(() => status().pending === frames * SERIES, 60_000, 'the backlog queued');
    const cpu0 = process.cpuUsage();
    await vm.restart();
    const t1 = performance.now();
    await until(() => status().pending === 0, 600_000, 'the backlog sent');
    const drain = performance.now() - t1;
    const cpu = process.cpuUsage(cpu0);
    const backlog = frames * SERIES;
    const s = status();
    return {
      title,
      command,
      figures: [
        {
          name: `live: ${count(frames * SERIES)} samples (${SERIES} series) ingested and forwarded`,
          value: `${count((frames * SERIES) / (live / 1000))} samples/s end to end`,
          note: `ingest alone ${count((frames * SERIES) / (ingested / 1000))} samples/s`,
        },
        {
          name: `catch-up: a backlog of ${count(backlog)} samples after an outage`,
          value: `${count(backlog / (drain / 1000))} samples/s`,
          note: `drained in ${(drain / 1000).toFixed(2)} s`,
        },
        {
          name: 'console CPU per sample sent while catching up',
          value: `${((cpu.user + cpu.system) / backlog).toFixed(2)} µs`,
        },
        {
          name: 'failed requests (the outage) / samples dropped',
          value: `${count(s.failed)} / ${count(s.dropped)}`,
        },
      ],
      notes: [
        `Live: the agent waits for each ack (WAL and forward queue fsynced), so the end-to-end rate is bounded by ingest; catch-up reads the on-disk queue as fast as VictoriaMetrics 1.79 (Debian) acks, over ${s.shards} shards of up to 2,000 samples. CPU is this process's (the console's), while catching up only; VictoriaMetrics' own is not counted.`,
      ],
    };
  } finally {
    a.close();
    await bench.done();
    await vm.stop();
  }
}
