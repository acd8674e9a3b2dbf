// `meridian simulate --attack`: every scenario, played by the real Simulator's virtual agents
// over real WebSockets into the real core, becomes its built-in detection alert (and the
// background noise beside them none). And the compiled CLI refuses an unknown scenario with
// exit 2, naming it.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Simulator } from '../../agent/simulator.js';
import { ATTACK_NAMES, launchAttack } from '../../electron/cli/sim-attacks.js';
import { packageRoot } from '../../electron/core/version.js';
import { systemClock } from '../../shared/clock.js';
import type { Alert } from '../../shared/model.js';
import { AGENT_TOKEN, startTestCore, waitFor, type TestCore } from '../helpers/core.js';

const RULES: Record<string, { id: string; title: string }> = {
  'brute-force': { id: 'd611737a-a302-49f4-89b6-3f80eca73682', title: 'SSH brute force' },
  spray: { id: 'bf6f1db2-286e-4843-9c42-01665be43927', title: 'Password spraying' },
  distributed: { id: '43509670-f51d-4d11-aa80-df2c1a98c1ab', title: 'Distributed brute force' },
  sudoers: { id: 'f121273a-4169-4956-8731-e66d9c184e65', title: 'Critical file changed' },
  port: { id: 'cda69e3a-1eda-4930-8c9b-06f0f62b7733', title: 'New listening port' },
  travel: { id: '5c0e8f7a-4b7e-4f43-9d0f-2a1e6b3c9d71', title: 'Impossible travel' },
};

let t: TestCore | undefined;
let sim: Simulator | undefined;
afterEach(async () => {
  sim?.stop();
  await t?.stop();
  sim = t = undefined;
});

describe('simulated attacks through the core', () => {
  it('each scenario is its own detection alert, and only those', async () => {
    t = await startTestCore();
    sim = new Simulator({
      url: t.addr.ingestUrl,
      token: AGENT_TOKEN,
      agents: 8,
      seed: 5,
      clock: systemClock,
      fillingDiskEvery: 0,
      authNoise: true,
    });
    await sim.start();
    expect(sim.connectedCount()).toBe(8);
    expect(Object.keys(RULES).sort()).toEqual([...ATTACK_NAMES].sort());
    for (const name of ATTACK_NAMES) expect(launchAttack(sim, name)).toMatch(/^attack /);
    const detections = await waitFor(
      async () => {
        const { body } = await t!.api<{ alerts: Alert[] }>('/api/v1/alerts?limit=1000');
        const d = body.alerts.filter((a) => a.ruleId.startsWith('detect:'));
        return d.length >= ATTACK_NAMES.length && d;
      },
      undefined,
      'one detection per scenario',
    );
    expect(detections.map((a) => a.ruleId).sort()).toEqual(
      Object.values(RULES)
        .map((r) => `detect:${r.id}`)
        .sort(),
    );
    for (const r of Object.values(RULES))
      expect(detections.find((a) => a.ruleId === `detect:${r.id}`)!.message).toContain(r.title);
  });

  it('an unknown --attack is exit 2, naming it and the known ones', async () => {
    const child = spawn(
      process.execPath,
      [
        join(packageRoot(), 'bin', 'meridian.js'),
        'simulate',
        '--url',
        'ws://127.0.0.1:9',
        '--token',
        't',
        '--attack',
        'spray,ddos',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    expect(code).toBe(2);
    expect(err).toContain(
      "--attack 'ddos' is not one of brute-force, spray, distributed, sudoers, port, travel, all",
    );
  });
});
