// Posture facts: what an agent reports about its host's security configuration (the `facts`
// message), and what the console's compliance controls (electron/core/compliance/) are
// evaluated from. One list of fact ids, shared by agent and core, so a renamed fact is a
// compile error rather than a control that is silently "unknown" forever. docs/security.md
// ("Posture facts") describes each one.

/** Every fact an agent may report. */
export const FACT_IDS = {
  /** sshd's effective PermitRootLogin: yes | no | prohibit-password | forced-commands-only. */
  sshdPermitRootLogin: 'sshd.permit_root_login',
  /** sshd's effective PasswordAuthentication: yes | no. */
  sshdPasswordAuthentication: 'sshd.password_authentication',
  /** A host firewall with rules loaded (nftables, iptables or ufw): boolean. */
  firewallActive: 'firewall.active',
  /** The system clock is synchronised (systemd-timesyncd, chrony or ntpd): boolean. */
  timeSynchronized: 'time.synchronized',
  /** auditd is running: boolean. */
  auditdRunning: 'auditd.running',
  /** /etc/login.defs PASS_MAX_DAYS (days; 99999 means never). */
  passwordMaxDays: 'password.max_days',
  /** /etc/login.defs PASS_MIN_DAYS. */
  passwordMinDays: 'password.min_days',
  /** /etc/login.defs PASS_WARN_AGE. */
  passwordWarnAge: 'password.warn_age',
  /** Security updates the package manager says are pending: a count. */
  updatesSecurityPending: 'updates.security_pending',
  /** Automatic (unattended) updates are configured: boolean. */
  updatesAutomatic: 'updates.automatic',
  /** At least one dm-crypt (LUKS) block device is present: boolean. */
  diskEncryption: 'disk.encryption',
} as const;
export type FactId = (typeof FACT_IDS)[keyof typeof FACT_IDS];
export const ALL_FACT_IDS: readonly FactId[] = Object.values(FACT_IDS);

/** How a fact's value was (not) obtained. */
export type FactStatus = 'collected' | 'not_collected';

export type FactValue = string | number | boolean | null;

/** One posture fact, as it travels in a `facts` message (and is kept by the console). */
export interface PostureFact {
  id: string;
  /** null when not collected. */
  value: FactValue;
  status: FactStatus;
  /** Why it was not collected (no such program, not Linux, permission denied …). */
  reason?: string;
  /** Where the value came from: the command run (argv joined by spaces) or the file read. */
  evidence: { source: string; raw: string };
  /** Agent time of the collection, epoch ms. */
  collectedAt: number;
}

/** Longest `evidence.raw` an agent sends; longer output is cut (the tail says so). */
export const MAX_FACT_EVIDENCE_CHARS = 2048;
/** At most this many facts in one `facts` message. */
export const MAX_FACTS_PER_MESSAGE = 64;

/** Two facts say the same (the thing to resend on): value, status and reason, not the time. */
export function sameFact(a: PostureFact, b: PostureFact): boolean {
  return a.value === b.value && a.status === b.status && (a.reason ?? '') === (b.reason ?? '');
}

/** Cut evidence to what a frame carries. */
export function clipEvidence(raw: string): string {
  if (raw.length <= MAX_FACT_EVIDENCE_CHARS) return raw;
  return `${raw.slice(0, MAX_FACT_EVIDENCE_CHARS - 20)}\n… (output cut)`;
}
