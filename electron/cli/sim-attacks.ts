// `meridian simulate --attack LIST`: the security scenarios, each once, 10 s apart from +30 s
// after every agent is connected (after the incidents' first step, before the outage).
import type { Simulator } from '../../agent/simulator.js';
import { ATTACK_SOURCES } from '../../agent/sim-attacks.js';
import { UsageError } from './args.js';

export const ATTACKS = {
  'brute-force': 'SSH brute force on agent 0 from 192.0.2.66 (12 attempts)',
  spray: 'password spray over up to 10 hosts of eu-west-1 from 192.0.2.99',
  distributed: `attempts on "admin" at agent 0 from ${Object.values(ATTACK_SOURCES).flat().length} addresses in four regions`,
  sudoers: 'a sudoers.d file appears on agent 0 (FIM)',
  port: 'nc listens on 0.0.0.0:4444 on agent 0',
  travel: '"alice" logs in in us-east-1, then 4 min later in ap-northeast-1 from elsewhere',
} as const;
export type AttackName = keyof typeof ATTACKS;
export const ATTACK_NAMES = Object.keys(ATTACKS) as AttackName[];
export const ATTACKS_START_S = 30;
export const ATTACKS_EVERY_S = 10;

/** `--attack a,b` or `all` → names in the order given; an unknown name is a usage error. */
export function parseAttacks(raw: string): AttackName[] {
  const names = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (names.length === 1 && names[0] === 'all') return ATTACK_NAMES;
  if (names.length === 0)
    throw new UsageError(
      `meridian simulate: --attack needs one of ${ATTACK_NAMES.join(', ')}, all`,
    );
  for (const n of names) {
    if (!(n in ATTACKS))
      throw new UsageError(
        `meridian simulate: --attack '${n}' is not one of ${ATTACK_NAMES.join(', ')}, all`,
      );
  }
  return [...new Set(names)] as AttackName[];
}

/** Launch one scenario now; returns what to log. */
export function launchAttack(sim: Simulator, name: AttackName): string {
  switch (name) {
    case 'brute-force':
      sim.bruteForce(0, { attempts: 12, sourceIp: '192.0.2.66' });
      break;
    case 'spray':
      if (sim.passwordSpray('eu-west-1', { sourceIp: '192.0.2.99' }).length === 0)
        return 'attack spray skipped: no agent in eu-west-1';
      break;
    case 'distributed':
      sim.distributedAttempt(0, { user: 'admin' });
      break;
    case 'sudoers':
      sim.sudoersChange(0);
      break;
    case 'port':
      sim.newListeningPort(0, 4444);
      break;
    case 'travel':
      if (!sim.impossibleTravel({ user: 'alice', from: 'us-east-1', to: 'ap-northeast-1' }))
        return 'attack travel skipped: needs agents in us-east-1 and ap-northeast-1';
      break;
  }
  return `attack ${name}: ${ATTACKS[name]}`;
}
