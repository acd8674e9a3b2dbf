// Notifications sent during a region outage: a real core (incident manager, notifier with its
// group wait), a webhook channel on a local HTTP receiver and the desktop channel, both paged
// by the default policy's first step; the simulator's agents over real WebSockets; then 75 % of
// one region's agents lose their sockets at once (Simulator.failRegion). Counted: every
// notification each channel got from the outage on (target: 1 each), and the time from the
// outage to the webhook's page. Run again with the group wait off, to show what it saves.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Simulator } from '../agent/simulator.js';
import { DEFAULT_NOTIFY_OPTIONS } from '../electron/core/notify/defaults.js';
import { systemClock } from '../shared/clock.js';
import { AGENT_TOKEN, benchCore, ms, sleep, type BenchOptions, type Section } from './harness.js';

const REGION = 'ap-northeast-1';

interface Received {
  at: number;
  kind: string;
  incidentId: string;
  title: string;
}

interface Outage {
  agents: number;
  inRegion: number;
  failed: number;
  webhook: Received[];
  desktop: Received[];
  /** Outage → the webhook's first page, ms; null when none came. */
  toPage: number | null;
}

/** One run: `agents` simulated agents, 75 % of REGION's cut, notifications counted until quiet. */
async function outage(agents: number, groupWaitMs: number): Promise<Outage> {
  const webhook: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        kind: string;
        incident: { id: string; title: string };
      };
      const { id, title } = body.incident;
      webhook.push({ at: performance.now(), kind: body.kind, incidentId: id, title });
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  const { core, ingestUrl, done } = await benchCore({ notifyGroupWaitMs: groupWaitMs });
  await core.notifier.addChannel({ kind: 'webhook', id: 'hook', name: 'On-call hook', url });
  // The default policy, with the webhook on its first step beside the desktop.
  const policy = core.notifier.policies().find((p) => p.id === 'default')!;
  await core.notifier.replacePolicy('default', {
    name: policy.name,
    match: policy.match,
    steps: policy.steps.map((s, k) => (k === 0 ? { ...s, channelIds: ['desktop', 'hook'] } : s)),
    repeatAfterMs: policy.repeatAfterMs,
  });
  const desktop: Received[] = [];
  core.notifier.desktop.on((n) =>
    desktop.push({ at: performance.now(), kind: n.kind, incidentId: n.incidentId, title: n.title }),
  );

  const sim = new Simulator({
    url: ingestUrl,
    token: AGENT_TOKEN,
    agents,
    seed: 11,
    clock: systemClock,
  });
  await sim.start(60_000);
  // Settled: every agent reported, nothing paged yet (a simulated fleet is healthy).
  await sleep(2_000);
  webhook.length = 0;
  desktop.length = 0;
  const inRegion = sim.agents.filter((a) => a.region === REGION).length;

  const outageAt = performance.now();
  const failed = sim.failRegion(REGION, 0.75).length;
  // Until the page, then a quiet spell as long as the wait plus 5 s: anything later is counted.
  const deadline = outageAt + groupWaitMs + 30_000;
  while (webhook.length === 0 && performance.now() < deadline) await sleep(20);
  await sleep(groupWaitMs + 5_000);
  await core.notifier.idle();
  sim.stop();
  await done();
  server.closeAllConnections();
  server.close();
  return {
    agents,
    inRegion,
    failed,
    webhook,
    desktop,
    toPage: webhook.length > 0 ? webhook[0]!.at - outageAt : null,
  };
}

const summary = (r: Received[]) =>
  r.length === 0
    ? 'none'
    : r.map((n) => `${n.kind} "${n.title.replace(/^CRITICAL · /, '')}"`).join('; ');

export async function outageNotifications({ quick }: BenchOptions): Promise<Section> {
  const AGENTS = quick ? 100 : 300;
  const wait = DEFAULT_NOTIFY_OPTIONS.groupWaitMs;
  const held = await outage(AGENTS, wait);
  const unheld = await outage(AGENTS, 0);
  const perChannel = (o: Outage) => `webhook ${o.webhook.length}, desktop ${o.desktop.length}`;
  return {
    title: `Notifications during a region outage (${AGENTS} simulated agents, 75 % of ${REGION} cut)`,
    command: 'npm run bench -- outage-notifications',
    figures: [
      {
        name: `notifications per channel, group wait ${wait / 1000} s (default)`,
        value: perChannel(held),
        target: '1 each',
        met: held.webhook.length === 1 && held.desktop.length === 1,
      },
      {
        name: 'outage → webhook page',
        value: held.toPage === null ? 'no page' : ms(held.toPage),
      },
      { name: 'notifications per channel, group wait off', value: perChannel(unheld) },
      {
        name: 'outage → webhook page, group wait off',
        value: unheld.toPage === null ? 'no page' : ms(unheld.toPage),
      },
    ],
    notes: [
      `${held.failed} of ${held.inRegion} agents in ${REGION} lost their sockets at once (${held.agents} in all); ` +
        `the webhook got: ${summary(held.webhook)}.`,
      `With the group wait off the webhook got: ${summary(unheld.webhook)}.`,
      `The page comes once the ${wait / 1000} s group wait (notifyGroupWaitMs) has passed since the ` +
        'first alert opened the incident; escalation still counts from the incident opening.',
    ],
  };
}
