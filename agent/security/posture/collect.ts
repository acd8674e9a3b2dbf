// Every posture fact of this host, from the collectors. Linux only: elsewhere each fact is
// sent as not collected, with the reason, so the console shows "unknown" and why.
import { ALL_FACT_IDS, type PostureFact } from '../../../shared/posture.js';
import {
  collectAutomaticUpdates,
  collectDiskEncryption,
  collectPasswordAgeing,
  collectSecurityUpdates,
} from './config-files.js';
import { notCollected } from './fact.js';
import type { HostAccess } from './host-access.js';
import { collectAuditd, collectFirewall, collectTimeSync } from './services.js';
import { collectSshd } from './sshd.js';

export async function collectPosture(
  host: HostAccess,
  now: () => number,
  platform: NodeJS.Platform = process.platform,
): Promise<PostureFact[]> {
  const at = now();
  if (platform !== 'linux')
    return ALL_FACT_IDS.map((id) =>
      notCollected(id, `posture is collected on Linux only (this host: ${platform})`, at),
    );
  // One after the other: a dozen processes at once would be a burst on the host the agent
  // watches (apt-get's simulation alone takes a second of CPU).
  const facts: PostureFact[] = [];
  facts.push(...(await collectSshd(host, at)));
  facts.push(await collectFirewall(host, at));
  facts.push(await collectTimeSync(host, at));
  facts.push(await collectAuditd(host, at));
  facts.push(...(await collectPasswordAgeing(host, at)));
  facts.push(await collectSecurityUpdates(host, at));
  facts.push(await collectAutomaticUpdates(host, at));
  facts.push(await collectDiskEncryption(host, at));
  return facts;
}

/** Files whose change re-collects at once (besides the hourly round). */
export const WATCHED_PATHS = [
  '/etc/ssh/sshd_config',
  '/etc/ssh/sshd_config.d',
  '/etc/login.defs',
  '/etc/apt/apt.conf.d',
  '/etc/dnf',
  '/etc/nftables.conf',
  '/etc/ufw',
];
