// Crossing → notification delivered: a breaching sample goes in over a real agent WebSocket,
// the core raises the alert, the notifier pages a webhook receiver (HTTP) or an SMTP server
// (smtp-server), both local, through the real incident manager and notification pipeline.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { SMTPServer } from 'smtp-server';
import {
  AGENT_TOKEN,
  benchCore,
  ms,
  percentile,
  sleep,
  type BenchOptions,
  type Section,
} from './harness.js';

/**
 * Each crossing its own incident, so each pages: no grouping or reopen window (they would fold
 * the bench's crossings, all on one agent within minutes, into one incident, as they should in
 * real life) and no flapping (the bench fires the same alert hundreds of times). No group wait
 * either: it is a deliberate hold (10 s by default, see outage-notifications), and these
 * figures are what the pipeline takes once it decides to page.
 */
const ONE_INCIDENT_PER_CROSSING = {
  incidentGroupWindowMs: 0,
  incidentReopenWindowMs: 0,
  flapMaxFires: 1_000_000,
  notifyGroupWaitMs: 0,
};

/** Drives `spikes` crossings (cpu 99 then 10) and waits for each to be received. */
async function crossings(
  ingestUrl: string,
  spikes: number,
  received: () => number,
): Promise<number[]> {
  const ws = new WebSocket(ingestUrl, { headers: { Authorization: `Bearer ${AGENT_TOKEN}` } });
  await new Promise((r) => ws.once('open', r));
  const acks: (() => void)[] = [];
  ws.on('message', (d) => {
    const m = JSON.parse(String(d)) as { type: string };
    if (m.type === 'welcome' || m.type === 'ack') acks.shift()?.();
  });
  const roundTrip = (frame: object) =>
    new Promise<void>((resolve) => {
      acks.push(resolve);
      ws.send(JSON.stringify(frame));
    });
  await roundTrip({
    type: 'hello',
    protocol: 1,
    hostname: 'notify-1',
    region: 'us-east-1',
    agentType: 'system',
    version: 'bench',
  });
  // Heartbeats, as a real agent sends them: a silent agent goes offline after 3 s, its region
  // fails, and every later crossing would join that outage's open incident (no page).
  const beat = setInterval(() => ws.send(JSON.stringify({ type: 'heartbeat' })), 500);
  const sentAt: number[] = [];
  let ts = Date.now();
  for (let k = 0; k < spikes; k++) {
    ts += 1;
    sentAt.push(performance.now());
    await roundTrip({ type: 'metrics', seq: ts, samples: [{ name: 'cpu_usage', value: 99, ts }] });
    const deadline = performance.now() + 10_000;
    while (received() <= k && performance.now() < deadline) await sleep(1);
    ts += 1;
    await roundTrip({ type: 'metrics', seq: ts, samples: [{ name: 'cpu_usage', value: 10, ts }] });
    // Each crossing sends a page and, on recovery, a resolved notice: 4 crossings a second
    // stay inside the channel's throttle (at most 600 messages a minute), which would
    // otherwise hold pages back and measure the throttle, not the pipeline.
    await sleep(250);
  }
  clearInterval(beat);
  ws.close();
  return sentAt;
}

function figures(kind: string, lat: number[], spikes: number, target: number | null) {
  const p99 = percentile(lat, 99);
  return [
    { name: `${kind} delivered (of ${spikes} crossings)`, value: String(lat.length) },
    { name: 'p50', value: ms(percentile(lat, 50)) },
    {
      name: 'p99',
      value: ms(p99),
      ...(target !== null
        ? { target: `≤ ${target} ms`, met: p99 <= target && lat.length === spikes }
        : {}),
    },
    { name: 'max', value: ms(Math.max(...lat)) },
  ];
}

/** Crossing → signed webhook received at a local HTTP receiver. */
export async function crossingToWebhook({ quick }: BenchOptions): Promise<Section> {
  const SPIKES = quick ? 20 : 200;
  const arrivals: number[] = [];
  // Pages only: each crossing's incident also sends a `resolved` notice when it recovers.
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const at = performance.now();
      if ((JSON.parse(body) as { kind?: string }).kind === 'page') arrivals.push(at);
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  const { core, ingestUrl, done } = await benchCore(ONE_INCIDENT_PER_CROSSING);
  await core.notifier.addChannel({
    kind: 'webhook',
    id: 'bench',
    name: 'bench',
    url,
    secret: 'bench-secret-key',
    maxPerMinute: 600,
  });
  await core.notifier.replacePolicy('default', {
    name: 'bench',
    steps: [{ afterMs: 0, channelIds: ['bench'] }],
    repeatAfterMs: null,
  });
  const sentAt = await crossings(ingestUrl, SPIKES, () => arrivals.length);
  await done();
  server.closeAllConnections();
  server.close();
  const lat = arrivals.map((t, k) => t - sentAt[k]!);
  return {
    title: 'Threshold crossing → webhook received (HMAC-signed, local receiver)',
    command: 'npm run bench -- notify-webhook',
    figures: [
      ...figures('webhooks', lat, SPIKES, 100),
      {
        name: 'Prometheus + Alertmanager, same kind of box, 1 s scrape/eval',
        value: '1.0 s median, 1.5 s p95 (issue 11)',
      },
    ],
  };
}

/** Crossing → mail accepted by a local SMTP server (smtp-server), one connection per mail. */
export async function crossingToEmail({ quick }: BenchOptions): Promise<Section> {
  const SPIKES = quick ? 10 : 50;
  const arrivals: number[] = [];
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    disableReverseLookup: true,
    logger: false,
    onData(stream, _session, callback) {
      // Pages only: a recovered crossing's incident also mails a resolved notice.
      let mail = '';
      stream.on('data', (d: Buffer) => (mail += d.toString()));
      stream.on('end', () => {
        const at = performance.now();
        if (!/^Subject: \[RESOLVED\]/im.test(mail)) arrivals.push(at);
        callback();
      });
    },
  });
  await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
  const port = (smtp.server.address() as AddressInfo).port;
  const { core, ingestUrl, done } = await benchCore(ONE_INCIDENT_PER_CROSSING);
  await core.notifier.addChannel({
    kind: 'email',
    id: 'mail',
    name: 'mail',
    host: '127.0.0.1',
    port,
    from: 'meridian@bench.test',
    to: ['oncall@bench.test'],
    maxPerMinute: 600,
  });
  await core.notifier.replacePolicy('default', {
    name: 'bench',
    steps: [{ afterMs: 0, channelIds: ['mail'] }],
    repeatAfterMs: null,
  });
  const sentAt = await crossings(ingestUrl, SPIKES, () => arrivals.length);
  await done();
  await new Promise<void>((r) => smtp.close(() => r()));
  const lat = arrivals.map((t, k) => t - sentAt[k]!);
  return {
    title: 'Threshold crossing → email accepted by a local SMTP server',
    command: 'npm run bench -- notify-email',
    figures: [
      ...figures('mails', lat, SPIKES, null),
      {
        name: 'of which smtp-server holds its greeting (early-talker check)',
        value: '100 ms, fixed, per connection',
      },
    ],
  };
}
