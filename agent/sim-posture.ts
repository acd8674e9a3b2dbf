// The simulator's posture facts: what a well-kept host reports, and for a few hosts (chosen by
// index and seed, so the same seed gives the same hosts) one to three findings a compliance
// scorecard must show: root login allowed, password logins, no firewall, pending security
// updates, no auditd. Evidence reads as the real collectors' would.
import { FACT_IDS, type FactValue, type PostureFact } from '../shared/posture.js';
import { seededRandom } from './prng.js';

const GOOD: [string, FactValue, string, string][] = [
  [FACT_IDS.sshdPermitRootLogin, 'no', 'sshd -T', 'permitrootlogin no'],
  [FACT_IDS.sshdPasswordAuthentication, 'no', 'sshd -T', 'passwordauthentication no'],
  [FACT_IDS.firewallActive, true, 'nft list ruleset', 'table inet filter { chain input { … } }'],
  [FACT_IDS.timeSynchronized, true, 'timedatectl show -p NTPSynchronized --value', 'yes'],
  [FACT_IDS.auditdRunning, true, 'systemctl is-active auditd', 'active'],
  [FACT_IDS.passwordMaxDays, 90, '/etc/login.defs', 'PASS_MAX_DAYS\t90'],
  [FACT_IDS.passwordMinDays, 1, '/etc/login.defs', 'PASS_MIN_DAYS\t1'],
  [FACT_IDS.passwordWarnAge, 7, '/etc/login.defs', 'PASS_WARN_AGE\t7'],
  [
    FACT_IDS.updatesSecurityPending,
    0,
    'apt-get -s -o Debug::NoLocking=true upgrade',
    '(no security updates)',
  ],
  [
    FACT_IDS.updatesAutomatic,
    true,
    '/etc/apt/apt.conf.d/20auto-upgrades',
    'APT::Periodic::Unattended-Upgrade "1";',
  ],
  [FACT_IDS.diskEncryption, true, 'lsblk -n -l -o NAME,TYPE', 'cryptroot crypt'],
];

const FINDINGS: [string, FactValue, string][] = [
  [FACT_IDS.sshdPermitRootLogin, 'yes', 'permitrootlogin yes'],
  [FACT_IDS.sshdPasswordAuthentication, 'yes', 'passwordauthentication yes'],
  [FACT_IDS.firewallActive, false, 'table inet filter { }'],
  [
    FACT_IDS.updatesSecurityPending,
    3,
    'Inst openssl [3.0.2-0ubuntu1.14] (3.0.2-0ubuntu1.15 Ubuntu:22.04/jammy-security [amd64])\n…',
  ],
  [FACT_IDS.auditdRunning, false, 'inactive'],
];

/** Whether simulated agent `index` is one of the non-compliant hosts (one in `every`). */
export function isNonCompliant(index: number, seed: number, every: number): boolean {
  return every > 0 && (index + seed) % every === 0;
}

export function simulatedFacts(
  index: number,
  seed: number,
  every: number,
  now: number,
): PostureFact[] {
  const facts = new Map<string, PostureFact>(
    GOOD.map(([id, value, source, raw]) => [
      id,
      { id, value, status: 'collected', evidence: { source, raw }, collectedAt: now },
    ]),
  );
  if (isNonCompliant(index, seed, every)) {
    const random = seededRandom(seed * 131 + index);
    // The first finding always, so every such host fails a control PCI-DSS and CIS name.
    const picked = [0, ...[1, 2, 3, 4].filter(() => random() < 0.4)];
    for (const i of picked) {
      const [id, value, raw] = FINDINGS[i]!;
      const f = facts.get(id)!;
      facts.set(id, { ...f, value, evidence: { ...f.evidence, raw } });
    }
  }
  return [...facts.values()];
}
