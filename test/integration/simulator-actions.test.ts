// The simulator's SIMULATED actions against a stand-in console (a real WebSocket server playing
// the console's side): nothing runs; clean_tmp brings a filled disk back to a healthy level,
// restart_service ends a cpu spike, a dry run answers with the argv that would have run, and
// parameters are checked as on a real agent. The simulator runs on a manual clock.
import { afterEach, describe, expect, it } from 'vitest';
import { Simulator } from '../../agent/simulator.js';
import { ManualClock } from '../../shared/clock.js';
import type { ActionMessage } from '../../shared/protocol.js';
import { WAIT_MS, waitFor } from '../helpers/core.js';
import { startFakeConsole, type FakeConsole } from '../helpers/fake-console.js';

type S = { name: string; value: number };

describe('simulated actions', () => {
  const cleanup: (() => unknown)[] = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });

  function latest(fake: FakeConsole, name: string): number | undefined {
    return fake.frames
      .filter((f) => f.type === 'metrics')
      .flatMap((f) => f.raw.samples as S[])
      .filter((s) => s.name === name)
      .at(-1)?.value;
  }

  it('clean_tmp clears a filled disk, restart_service a cpu spike; dry run and bad parameters run nothing', async () => {
    const fake = await startFakeConsole({});
    cleanup.push(() => fake.stop());
    const clock = new ManualClock(Date.now());
    const logs: string[] = [];
    const sim = new Simulator({
      url: fake.url,
      token: 't',
      agents: 1,
      seed: 1,
      clock,
      fillingDiskEvery: 0,
      logAction: (l) => logs.push(l),
    });
    cleanup.push(() => sim.stop());
    await sim.start(WAIT_MS);
    const hello = fake.frames.find((f) => f.type === 'hello')!;
    expect(hello.raw.capabilities).toEqual({ actions: ['clean_tmp', 'restart_service'] });

    let n = 0;
    const send = (
      action: string,
      params: Record<string, string>,
      extra: Partial<ActionMessage> = {},
    ) => {
      const id = `sim-act-${++n}`;
      fake.send({
        type: 'action',
        id,
        action,
        params,
        dryRun: false,
        deadline: Date.now() + 60_000,
        ...extra,
      });
      return id;
    };
    const result = (id: string) =>
      waitFor(() => fake.actionResults().find((r) => r.id === id), WAIT_MS, `result ${id}`);

    // The disk fills and stays full (not pulled back to the 88 % a healthy disk levels at).
    sim.fillDisk(0, 97);
    await waitFor(() => latest(fake, 'disk_usage') === 97, WAIT_MS, 'disk at 97 %');
    for (let i = 0; i < 3; i++) clock.advance(1_000);
    await waitFor(
      () => fake.frames.filter((f) => f.type === 'metrics').length >= 4,
      WAIT_MS,
      'batches',
    );
    expect(latest(fake, 'disk_usage')).toBeGreaterThanOrEqual(97);

    const dry = await result(send('clean_tmp', {}, { dryRun: true }));
    expect(dry).toMatchObject({
      status: 'dry_run',
      argv: [
        'meridian-clean-tmp',
        '--allow',
        '/tmp',
        '--allow',
        '/var/tmp',
        '--older-than-days',
        '7',
        '/tmp',
      ],
    });
    expect(await result(send('clean_tmp', { dir: '/etc' }))).toMatchObject({
      status: 'refused',
      reason: 'bad_parameter',
    });
    expect(latest(fake, 'disk_usage')).toBeGreaterThanOrEqual(97);

    const cleanId = send('clean_tmp', { dir: '/var/tmp', days: '3' });
    await waitFor(
      () => sim.agents[0]!.actions.current?.id === cleanId,
      WAIT_MS,
      'clean_tmp running',
    );
    // A second action while it "runs" is refused, as on a real agent.
    expect(await result(send('restart_service', { unit: 'nginx.service' }))).toMatchObject({
      reason: 'busy',
    });
    clock.advance(1_500);
    const cleaned = await result(cleanId);
    expect(cleaned).toMatchObject({ status: 'succeeded', exitCode: 0 });
    expect(cleaned.output).toMatch(/^simulated: nothing ran; disk usage set to \d+\.\d %\n$/);
    await waitFor(() => (latest(fake, 'disk_usage') ?? 100) < 56, WAIT_MS, 'disk back to health');
    expect(latest(fake, 'disk_usage')).toBeGreaterThanOrEqual(40);

    sim.spike(0, 99, 600_000);
    await waitFor(() => latest(fake, 'cpu_usage') === 99, WAIT_MS, 'cpu spike');
    const restartId = send('restart_service', { unit: 'nginx.service' });
    await waitFor(
      () => sim.agents[0]!.actions.current?.id === restartId,
      WAIT_MS,
      'restart running',
    );
    clock.advance(1_500);
    expect(await result(restartId)).toMatchObject({
      status: 'succeeded',
      argv: ['/usr/bin/systemctl', 'restart', 'nginx.service'],
    });
    await waitFor(() => (latest(fake, 'cpu_usage') ?? 100) < 95, WAIT_MS, 'the spike over');
    expect(logs.some((l) => /sim-.*: action sim-act-\d+ clean_tmp: succeeded/.test(l))).toBe(true);
  });
});
