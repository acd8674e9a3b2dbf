// The reference agent's schedule: headline metrics every second by default, the slower
// collectors on their own intervals. The real agent (real collectors reading this host) reports
// to a real core; the agent runs on a ManualClock, so the test steps through its intervals
// exactly instead of sleeping through them.
import { afterEach, describe, expect, it } from 'vitest';
import { HostAgent } from '../../agent/agent.js';
import { DEFAULT_INTERVALS } from '../../agent/intervals.js';
import { ManualClock } from '../../shared/clock.js';
import type { Sample } from '../../shared/protocol.js';
import { AGENT_TOKEN, startTestCore, waitFor, type TestCore } from '../helpers/core.js';

describe('host agent schedule', () => {
  let t: TestCore | undefined;
  let agent: HostAgent | undefined;
  afterEach(async () => {
    agent?.stop();
    await t?.stop();
  });

  it('collects cpu, memory, disk and load every second by default; network and filesystems on their own intervals', async () => {
    expect(DEFAULT_INTERVALS.headline).toBe(1_000);
    t = await startTestCore();
    const clock = new ManualClock(Date.now());
    agent = new HostAgent({
      url: t.addr.ingestUrl,
      token: AGENT_TOKEN,
      region: 'us-east-1',
      agentType: 'system',
      hostname: 'schedule-1',
      version: 'test',
      clock,
      log: () => {},
      onFatal: () => {},
    });
    // Instrumentation only: what each batch held, on its way through the real uplink.
    const batches: string[][] = [];
    const send = agent.uplink.sendMetrics.bind(agent.uplink);
    agent.uplink.sendMetrics = (samples: Sample[]) => {
      batches.push([...new Set(samples.map((s) => s.name))].sort());
      return send(samples);
    };
    const of = (name: string) => batches.filter((b) => b.includes(name)).length;
    agent.start();
    // Each collector runs once at start. cpu % needs two readings: the first run only takes
    // the baseline (an average since boot is not the current load).
    await waitFor(
      () =>
        of('memory_usage') === 1 &&
        of('network_rx_bytes_total') === 1 &&
        of('filesystem_usage') === 1,
      undefined,
      'the first run of every collector',
    );
    expect(batches.find((b) => b.includes('memory_usage'))).toEqual([
      'disk_usage',
      'load1',
      'load15',
      'load5',
      'memory_usage',
    ]);
    // One second: the headline metrics again (cpu too, once the kernel's counters have moved
    // since the baseline), nothing else.
    for (let second = 1; second <= 4; second++) {
      clock.advance(1_000);
      await waitFor(() => of('memory_usage') === 1 + second, undefined, `headline batch ${second}`);
    }
    expect([of('network_rx_bytes_total'), of('filesystem_usage')]).toEqual([1, 1]);
    // Five seconds: network too.
    clock.advance(1_000);
    await waitFor(() => of('network_rx_bytes_total') === 2, undefined, 'the second network run');
    expect(of('filesystem_usage')).toBe(1);
    // Thirty seconds: the filesystems.
    clock.advance(25_000);
    await waitFor(() => of('filesystem_usage') === 2, undefined, 'the second filesystems run');
    // And the samples reach the console, cpu among them (a headline run a second, until the
    // kernel's cpu counters have moved in real time since the baseline).
    const agentId = agent.uplink.agentId;
    await waitFor(
      async () => {
        if (agentId && t!.core.fleet.agent(agentId)?.latest.cpu_usage !== undefined) return true;
        clock.advance(1_000);
        await new Promise((r) => setTimeout(r, 20));
        return false;
      },
      undefined,
      'cpu_usage at the console',
    );
  });
});
