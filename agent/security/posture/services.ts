// Firewall, time synchronisation and auditd: each asked of the tools that know, in order,
// the first one that gives an answer deciding.
import { FACT_IDS, type PostureFact } from '../../../shared/posture.js';
import {
  collected,
  commandLine,
  commandProblem,
  deniedByPermission,
  notCollected,
} from './fact.js';
import type { HostAccess } from './host-access.js';

/**
 * A firewall is active when nftables has a rule in a chain, ufw says "Status: active", or
 * iptables has a rule (-A) or a default policy other than ACCEPT. A tool that needs root and
 * is not root is no answer; if no tool answers, not collected (with each tool's problem).
 */
export async function collectFirewall(host: HostAccess, now: number): Promise<PostureFact> {
  const id = FACT_IDS.firewallActive;
  const problems: string[] = [];
  const nft = ['nft', 'list', 'ruleset'];
  const n = await host.run(nft);
  if (n.code === 0 && !deniedByPermission(n)) {
    const rules = nftRuleCount(n.stdout);
    if (rules > 0) return collected(id, true, commandLine(nft), n.stdout, now);
    problems.push(`${commandLine(nft)}: no rules`);
  } else problems.push(commandProblem(nft, n));
  const ufw = ['ufw', 'status'];
  const u = await host.run(ufw);
  if (u.code === 0 && /^Status:\s*active/m.test(u.stdout))
    return collected(id, true, commandLine(ufw), u.stdout, now);
  if (u.code === 0) problems.push(`${commandLine(ufw)}: ${u.stdout.trim().split('\n')[0]}`);
  else problems.push(commandProblem(ufw, u));
  const ipt = ['iptables', '-S'];
  const i = await host.run(ipt);
  if (i.code === 0 && !deniedByPermission(i)) {
    const active = i.stdout
      .split('\n')
      .some((l) => l.startsWith('-A ') || (/^-P \S+ (DROP|REJECT)/.test(l) as boolean));
    // nft and iptables both answered and neither holds a rule: the host has no firewall.
    return collected(id, active, commandLine(ipt), i.stdout, now);
  }
  problems.push(commandProblem(ipt, i));
  // nft answered (empty ruleset) but nothing else could: that empty ruleset is the answer.
  if (n.code === 0 && !deniedByPermission(n))
    return collected(id, false, commandLine(nft), n.stdout, now);
  return notCollected(id, problems.join('; '), now, [nft, ufw, ipt].map(commandLine).join(' | '));
}

/** Rule lines in `nft list ruleset` output: statements inside a chain, not its header. */
export function nftRuleCount(ruleset: string): number {
  let inChain = false;
  let rules = 0;
  for (const raw of ruleset.split('\n')) {
    const line = raw.trim();
    if (/^chain\s/.test(line)) inChain = true;
    else if (line === '}') inChain = false;
    else if (
      inChain &&
      line !== '' &&
      !line.startsWith('type ') &&
      !line.startsWith('policy ') &&
      !line.startsWith('#')
    )
      rules++;
  }
  return rules;
}

/** timedatectl, else chrony, else ntpstat. */
export async function collectTimeSync(host: HostAccess, now: number): Promise<PostureFact> {
  const id = FACT_IDS.timeSynchronized;
  const problems: string[] = [];
  const td = ['timedatectl', 'show', '-p', 'NTPSynchronized', '--value'];
  const t = await host.run(td);
  const tv = t.stdout.trim();
  if (t.code === 0 && (tv === 'yes' || tv === 'no'))
    return collected(id, tv === 'yes', commandLine(td), tv, now);
  problems.push(commandProblem(td, t));
  const ch = ['chronyc', 'tracking'];
  const c = await host.run(ch);
  const leap = /^Leap status\s*:\s*(.+)$/m.exec(c.stdout)?.[1]?.trim();
  if (c.code === 0 && leap) return collected(id, leap === 'Normal', commandLine(ch), c.stdout, now);
  problems.push(commandProblem(ch, c));
  const np = ['ntpstat'];
  const p = await host.run(np);
  // ntpstat: 0 synchronised, 1 not, 2 cannot tell.
  if (p.code === 0 || p.code === 1)
    return collected(id, p.code === 0, commandLine(np), p.stdout, now);
  problems.push(commandProblem(np, p));
  return notCollected(id, problems.join('; '), now, [td, ch, np].map(commandLine).join(' | '));
}

/** systemd's view of auditd, else a process named auditd in /proc. */
export async function collectAuditd(host: HostAccess, now: number): Promise<PostureFact> {
  const id = FACT_IDS.auditdRunning;
  const sc = ['systemctl', 'is-active', 'auditd'];
  const s = await host.run(sc);
  const state = s.stdout.trim();
  // is-active exits 0 for active, 3 for inactive/failed/unknown units.
  if (
    s.code === 0 ||
    (s.code !== null && /^(inactive|failed|unknown|activating|deactivating)$/.test(state))
  )
    return collected(id, state === 'active', commandLine(sc), state, now);
  const pids = await host.fs.readDir('/proc');
  if (pids === null) return notCollected(id, commandProblem(sc, s), now, commandLine(sc));
  for (const pid of pids) {
    if (!/^\d+$/.test(pid)) continue;
    const comm = (await host.fs.readFile(`/proc/${pid}/comm`))?.trim();
    if (comm === 'auditd') return collected(id, true, '/proc/*/comm', `pid ${pid}: auditd`, now);
  }
  return collected(id, false, '/proc/*/comm', 'no process named auditd', now);
}
