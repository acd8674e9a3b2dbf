import { Simulator } from '../../agent/simulator.js';
import { systemClock } from '../../shared/clock.js';
import { VERSION } from '../core/version.js';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseFingerprint } from '../../shared/credentials.js';
import { intFlag, parse, required, untilSignal, UsageError, wsUrl } from './args.js';
import { ATTACKS_EVERY_S, ATTACKS_START_S, launchAttack, parseAttacks } from './sim-attacks.js';
import { SIMULATE } from './simulate-spec.js';

/** The scripted incidents of `meridian simulate`, seconds after every agent is connected. */
export const SCENARIO = [
  { at: 20, what: 'cpu spike on agent 0 (critical cpu_usage alert)' },
  { at: 40, what: 'agent 1 dies (agent_offline alert)' },
  { at: 60, what: 'ap-northeast-1 loses 75% of its agents (region failed)' },
  { at: 120, what: 'ap-northeast-1 agents come back (alerts resolve)' },
] as const;

export async function simulateCommand(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const flags = parse(SIMULATE, argv);
  const url = wsUrl('simulate', required('simulate', 'url', flags.url));
  const token = required('simulate', 'token', flags.token ?? env.MERIDIAN_AGENT_TOKEN);
  const count = intFlag('simulate', 'agents', flags.agents, 50, 1, 20_000);
  const duration = intFlag('simulate', 'duration', flags.duration, 0, 0, 7 * 86_400);
  const attacks = flags.attack === undefined ? [] : parseAttacks(flags.attack);
  const log = (line: string) => process.stdout.write(`simulate: ${line}\n`);
  const caFingerprint = flags['ca-fingerprint'] ? parseFingerprint(flags['ca-fingerprint']) : null;
  if (flags['ca-fingerprint'] && !caFingerprint)
    throw new UsageError(
      `meridian simulate: --ca-fingerprint must be sha256: and 64 hex digits (got '${flags['ca-fingerprint']}')`,
    );
  const sim = new Simulator({
    url,
    token,
    stateDir: resolve(
      flags['state-dir'] ?? env.MERIDIAN_SIM_STATE_DIR ?? join(homedir(), '.meridian', 'simulator'),
    ),
    ...(caFingerprint ? { caFingerprint } : {}),
    agents: count,
    seed: intFlag('simulate', 'seed', flags.seed, 1, 0, 2 ** 31),
    sampleIntervalMs: intFlag('simulate', 'interval', flags.interval, 1_000, 10, 600_000),
    extraSeries: intFlag('simulate', 'extra-series', flags['extra-series'], 0, 0, 1_000),
    fillingDiskEvery: intFlag('simulate', 'filling-disks', flags['filling-disks'], 8, 0, 20_000),
    clock: systemClock,
    authNoise: flags['auth-noise'] === true,
    version: `sim-${VERSION}`,
    // Simulated actions run nothing; each one answered is worth a line in a demo.
    logAction: (line) => log(`simulated action on ${line}`),
  });
  await sim.start();
  log(`${sim.connectedCount()}/${count} agents connected to ${url}`);
  const timers: ReturnType<typeof setTimeout>[] = [];
  if (!flags['no-incidents'] && count >= 2) {
    let failed: number[] = [];
    const steps: Record<number, () => void> = {
      20: () => sim.spike(0, 99, 30_000),
      40: () => sim.kill(1),
      60: () => (failed = sim.failRegion('ap-northeast-1', 0.75)),
      120: () => failed.forEach((i) => sim.revive(i)),
    };
    for (const step of SCENARIO) {
      timers.push(
        setTimeout(() => {
          log(step.what);
          steps[step.at]!();
        }, step.at * 1_000),
      );
    }
  }
  attacks.forEach((name, i) =>
    timers.push(
      setTimeout(
        () => log(launchAttack(sim, name)),
        (ATTACKS_START_S + i * ATTACKS_EVERY_S) * 1_000,
      ),
    ),
  );
  const stop =
    duration > 0
      ? new Promise((r) => timers.push(setTimeout(r, duration * 1_000)))
      : new Promise(() => {});
  await Promise.race([untilSignal(), stop]);
  timers.forEach(clearTimeout);
  sim.stop();
  log('stopped');
  return 0;
}
