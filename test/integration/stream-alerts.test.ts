import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { StreamChanges, StreamSnapshot } from '../../shared/api.js';
import { STREAM_AGENT_REFRESH_MS, STREAM_BATCH_MS } from '../../shared/api-constants.js';
import { ManualClock } from '../../shared/clock.js';
import {
  SESSION_TOKEN,
  connectAgent,
  metricsFrame,
  startTestCore,
  waitFor,
  type TestAgent,
  type TestCore,
} from '../helpers/core.js';

type StreamMessage = StreamSnapshot | StreamChanges | { type: string };

/**
 * Alerts reach viewers without waiting for the stream's batch window. The core runs on a
 * ManualClock that is moved only as far as a welcome needs and never past the window: with
 * the old batching (every change waits STREAM_BATCH_MS on the core's clock) no alert frame
 * could arrive at all.
 */
describe('alerts on the stream', () => {
  let t: TestCore | undefined;
  const agents: TestAgent[] = [];
  const viewers: WebSocket[] = [];
  afterEach(async () => {
    for (const v of viewers.splice(0)) v.terminate();
    for (const a of agents.splice(0)) await a.close();
    await t?.stop();
    t = undefined;
  });

  async function openViewer(core: TestCore): Promise<StreamMessage[]> {
    const viewer = new WebSocket(
      `${core.addr.apiUrl.replace('http', 'ws')}/api/v1/stream?token=${SESSION_TOKEN}`,
    );
    viewers.push(viewer);
    const messages: StreamMessage[] = [];
    viewer.on('message', (d) => messages.push(JSON.parse(String(d)) as StreamMessage));
    await waitFor(() => messages.some((m) => m.type === 'snapshot'), undefined, 'snapshot');
    return messages;
  }

  /** Complete hello → welcome, moving the manual clock in small steps for the durable write. */
  async function connectOnManualClock(clock: ManualClock, core: TestCore, hostname: string) {
    let welcomed = false;
    const connecting = connectAgent(core.addr.ingestUrl, { hostname }).finally(
      () => (welcomed = true),
    );
    let moved = 0;
    while (!welcomed) {
      clock.advance(1);
      moved += 1;
      await new Promise((r) => setTimeout(r, 5));
    }
    const agent = await connecting;
    agents.push(agent);
    return { agent, moved };
  }

  const changes = (messages: StreamMessage[]) =>
    messages.filter((m): m is StreamChanges => m.type === 'changes');

  it('a new alert goes out at once, with the agent it names, while the batch window never ends', async () => {
    const clock = new ManualClock(Date.now());
    t = await startTestCore({}, { clock });
    const messages = await openViewer(t);
    const { agent, moved } = await connectOnManualClock(clock, t, 'fast-1');
    // The clock stands still from here on.
    agent.send(metricsFrame([{ name: 'cpu_usage', value: 99 }]));
    const frame = await waitFor(
      () => changes(messages).find((m) => m.alerts.some((a) => a.ruleId === 'cpu_usage')),
      undefined,
      'the alert frame',
    );
    expect(frame.alerts.find((a) => a.ruleId === 'cpu_usage')).toMatchObject({
      state: 'firing',
      severity: 'critical',
      subject: { agentId: agent.agentId },
    });
    // Order: the viewer knows the agent no later than the frame that names it.
    const upTo = messages.slice(0, messages.indexOf(frame) + 1);
    const seen = upTo.some(
      (m) =>
        (m.type === 'snapshot' || m.type === 'changes') &&
        (m as StreamSnapshot | StreamChanges).agents.some((a) => a.id === agent.agentId),
    );
    expect(seen).toBe(true);
    // If the welcome needed less manual time than the window, the batch that registered the
    // agent never went out: the alert frame itself must carry the agent (and its region).
    if (moved < STREAM_BATCH_MS) {
      expect(frame.agents.map((a) => a.id)).toContain(agent.agentId);
      expect(frame.regions.map((r) => r.id)).toContain('us-east-1');
    }
  });

  // Five waits of 15 s in a row: a wait that runs out must report its own message, not the test's timeout.
  it('a state change (acknowledge, resolve) goes out at once too', async () => {
    const clock = new ManualClock(Date.now());
    t = await startTestCore({}, { clock });
    const messages = await openViewer(t);
    const { agent } = await connectOnManualClock(clock, t, 'fast-2');
    agent.send(metricsFrame([{ name: 'disk_usage', value: 99 }]));
    const raised = await waitFor(
      () => changes(messages).find((m) => m.alerts.some((a) => a.ruleId === 'disk_usage')),
      undefined,
      'the raised alert',
    );
    const id = raised.alerts.find((a) => a.ruleId === 'disk_usage')!.id;
    const stateOnStream = (state: string) =>
      waitFor(
        () => changes(messages).some((m) => m.alerts.some((a) => a.id === id && a.state === state)),
        undefined,
        `the alert ${state} on the stream`,
      );
    expect((await t.api(`/api/v1/alerts/${id}/ack`, { method: 'POST', body: '{}' })).status).toBe(
      200,
    );
    await stateOnStream('acknowledged');
    expect(
      (await t.api(`/api/v1/alerts/${id}/resolve`, { method: 'POST', body: '{}' })).status,
    ).toBe(200);
    await stateOnStream('resolved');
  }, 120_000);

  it('agent updates without an alert still wait for the window', async () => {
    const clock = new ManualClock(Date.now());
    t = await startTestCore({}, { clock });
    const { agent } = await connectOnManualClock(clock, t, 'batched-1');
    // Connected after the registration: the snapshot has the agent.
    const messages = await openViewer(t);
    agent.send(metricsFrame([{ name: 'cpu_usage', value: 12 }]));
    await waitFor(
      () => t!.core.fleet.agent(agent.agentId)?.latest.cpu_usage === 12,
      undefined,
      'the sample taken',
    );
    // The clock has not moved since: no timer ran, so nothing about the agent went out …
    const mentions = () =>
      changes(messages).some((m) => m.agents.some((a) => a.id === agent.agentId));
    expect(mentions()).toBe(false);
    // … until time passes the agent refresh and the batch window.
    clock.advance(STREAM_AGENT_REFRESH_MS + STREAM_BATCH_MS + 1_000);
    await waitFor(mentions, undefined, 'the batched agent update');
  });
});
