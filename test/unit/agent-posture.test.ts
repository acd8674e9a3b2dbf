// The posture collectors on fixture outputs: a scripted command runner and an in-memory file
// tree stand in for the host (commands and files that cannot be set up here: sshd, nft, a
// LUKS disk). Each fixture is what the real tool prints.
import { describe, expect, it } from 'vitest';
import { FACT_IDS, type PostureFact } from '../../shared/posture.js';
import { collectPosture } from '../../agent/security/posture/collect.js';
import type { CommandOutcome, HostAccess } from '../../agent/security/posture/host-access.js';
import { nftRuleCount } from '../../agent/security/posture/services.js';

const NOW = 1_764_500_000_000;
const ok = (stdout: string): CommandOutcome => ({ code: 0, stdout, stderr: '' });
const missing: CommandOutcome = { code: null, stdout: '', stderr: '', failure: 'not_found' };

/** A fixture host: argv (joined by spaces) → outcome; path → text (dirs list their children). */
function fixtureHost(
  commands: Record<string, CommandOutcome>,
  files: Record<string, string>,
): HostAccess & { ran: string[][] } {
  const ran: string[][] = [];
  return {
    ran,
    run: async (argv) => {
      ran.push([...argv]);
      return commands[argv.join(' ')] ?? missing;
    },
    fs: {
      readFile: async (p) => files[p] ?? null,
      readDir: async (dir) => {
        const names = Object.keys(files)
          .filter((p) => p.startsWith(`${dir}/`) && !p.slice(dir.length + 1).includes('/'))
          .map((p) => p.slice(dir.length + 1));
        return names.length > 0 ? names : null;
      },
    },
  };
}

const byId = (facts: PostureFact[]) => new Map(facts.map((f) => [f.id, f]));

const SSHD_T = `port 22
permitrootlogin without-password
passwordauthentication no
pubkeyauthentication yes
`;

const NFT_RULESET = `table inet filter {
	chain input {
		type filter hook input priority filter; policy drop;
		ct state established,related accept
		tcp dport 22 accept
	}
}
`;

const LOGIN_DEFS = `# comment
PASS_MAX_DAYS	90
PASS_MIN_DAYS	1
#PASS_WARN_AGE	7
`;

const APT_SIM = `Reading package lists...
Inst openssl [3.0.2-0ubuntu1.14] (3.0.2-0ubuntu1.15 Ubuntu:22.04/jammy-security [amd64])
Inst libssl3 [3.0.2-0ubuntu1.14] (3.0.2-0ubuntu1.15 Ubuntu:22.04/jammy-security [amd64])
Inst vim [2:8.2.3995-1ubuntu2.15] (2:8.2.3995-1ubuntu2.16 Ubuntu:22.04/jammy-updates [amd64])
Conf openssl (3.0.2-0ubuntu1.15 Ubuntu:22.04/jammy-security [amd64])
`;

const LSBLK = `sda   disk
sda1  part
sda2  part
cryptroot crypt
`;

describe('posture collectors', () => {
  it('a well-configured Debian host: every fact collected, with its evidence', async () => {
    const host = fixtureHost(
      {
        'sshd -T': ok(SSHD_T),
        'nft list ruleset': ok(NFT_RULESET),
        'timedatectl show -p NTPSynchronized --value': ok('yes\n'),
        'systemctl is-active auditd': ok('active\n'),
        'apt-get -s -o Debug::NoLocking=true upgrade': ok(APT_SIM),
        'lsblk -n -l -o NAME,TYPE': ok(LSBLK),
      },
      {
        '/etc/login.defs': LOGIN_DEFS,
        '/etc/apt/apt.conf.d/20auto-upgrades':
          'APT::Periodic::Update-Package-Lists "1";\nAPT::Periodic::Unattended-Upgrade "1";\n',
        '/usr/bin/unattended-upgrade': '#!/usr/bin/python3\n',
      },
    );
    const facts = byId(await collectPosture(host, () => NOW, 'linux'));
    expect(facts.get(FACT_IDS.sshdPermitRootLogin)).toMatchObject({
      value: 'prohibit-password',
      status: 'collected',
      evidence: { source: 'sshd -T', raw: 'permitrootlogin without-password' },
      collectedAt: NOW,
    });
    expect(facts.get(FACT_IDS.sshdPasswordAuthentication)?.value).toBe('no');
    expect(facts.get(FACT_IDS.firewallActive)).toMatchObject({
      value: true,
      evidence: { source: 'nft list ruleset' },
    });
    expect(facts.get(FACT_IDS.timeSynchronized)?.value).toBe(true);
    expect(facts.get(FACT_IDS.auditdRunning)?.value).toBe(true);
    expect(facts.get(FACT_IDS.passwordMaxDays)).toMatchObject({
      value: 90,
      evidence: { source: '/etc/login.defs', raw: 'PASS_MAX_DAYS\t90' },
    });
    expect(facts.get(FACT_IDS.passwordMinDays)?.value).toBe(1);
    // Commented out: shadow's default applies, and the evidence says so.
    expect(facts.get(FACT_IDS.passwordWarnAge)).toMatchObject({ value: 7 });
    expect(facts.get(FACT_IDS.passwordWarnAge)?.evidence.raw).toContain('not set');
    const updates = facts.get(FACT_IDS.updatesSecurityPending)!;
    expect(updates.value).toBe(2);
    expect(updates.evidence.raw).toContain('Inst openssl');
    expect(updates.evidence.raw).not.toContain('vim');
    expect(facts.get(FACT_IDS.updatesAutomatic)?.value).toBe(true);
    expect(facts.get(FACT_IDS.diskEncryption)).toMatchObject({
      value: true,
      evidence: { raw: 'cryptroot crypt' },
    });
    expect(facts.size).toBe(Object.keys(FACT_IDS).length);
    // Never a shell: argv arrays only, the program first.
    expect(host.ran.every((argv) => !argv.includes('-c') && !/\s/.test(argv[0]!))).toBe(true);
  });

  it('sshd_config read as sshd does when sshd -T cannot run: Include, first value wins, Match skipped, defaults', async () => {
    const host = fixtureHost(
      {
        'sshd -T': { code: 1, stdout: '', stderr: 'sshd: no hostkeys available -- exiting.' },
      },
      {
        '/etc/ssh/sshd_config':
          'Include /etc/ssh/sshd_config.d/*.conf\n#PermitRootLogin no\nPermitRootLogin no\nMatch User backup\n  PasswordAuthentication yes\n',
        '/etc/ssh/sshd_config.d/10-cloud.conf': 'PermitRootLogin yes\n',
        '/etc/ssh/sshd_config.d/README': 'PermitRootLogin no\n',
      },
    );
    const facts = byId(await collectPosture(host, () => NOW, 'linux'));
    // The include comes first, so its value wins over the later line in sshd_config.
    expect(facts.get(FACT_IDS.sshdPermitRootLogin)).toMatchObject({
      value: 'yes',
      evidence: { source: '/etc/ssh/sshd_config.d/10-cloud.conf', raw: 'PermitRootLogin yes' },
    });
    // Only set inside a Match block: the global value is OpenSSH's default.
    expect(facts.get(FACT_IDS.sshdPasswordAuthentication)).toMatchObject({ value: 'yes' });
    expect(facts.get(FACT_IDS.sshdPasswordAuthentication)?.evidence.raw).toContain('default');
  });

  it('no sshd, firewall tools refused for want of root, no timesync tools: not collected, with reasons', async () => {
    const denied: CommandOutcome = {
      code: 1,
      stdout: '',
      stderr: 'netlink: Error: cache initialization failed: Operation not permitted',
    };
    const host = fixtureHost(
      {
        'nft list ruleset': denied,
        'ufw status': {
          code: 1,
          stdout: '',
          stderr: 'ERROR: You need to be root to run this script',
        },
        'iptables -S': {
          code: 4,
          stdout: '',
          stderr:
            'iptables v1.8.7 (nf_tables): Could not fetch rule set generation id: Permission denied (you must be root)',
        },
      },
      {},
    );
    const facts = byId(await collectPosture(host, () => NOW, 'linux'));
    expect(facts.get(FACT_IDS.sshdPermitRootLogin)).toMatchObject({
      status: 'not_collected',
      value: null,
    });
    expect(facts.get(FACT_IDS.sshdPermitRootLogin)?.reason).toContain('sshd is not installed');
    const fw = facts.get(FACT_IDS.firewallActive)!;
    expect(fw.status).toBe('not_collected');
    expect(fw.reason).toContain('Operation not permitted');
    expect(facts.get(FACT_IDS.timeSynchronized)?.reason).toContain('timedatectl is not installed');
    expect(facts.get(FACT_IDS.updatesSecurityPending)?.status).toBe('not_collected');
    expect(facts.get(FACT_IDS.passwordMaxDays)?.status).toBe('not_collected');
  });

  it('firewall: an empty nft ruleset and no iptables rules is "no firewall"; ufw active is one; chrony answers time sync', async () => {
    const empty = fixtureHost(
      {
        'nft list ruleset': ok(''),
        'ufw status': ok('Status: inactive\n'),
        'iptables -S': ok('-P INPUT ACCEPT\n-P FORWARD ACCEPT\n-P OUTPUT ACCEPT\n'),
        'chronyc tracking': ok(
          'Reference ID    : A9FEA97B (169.254.169.123)\nLeap status     : Not synchronised\n',
        ),
        'systemctl is-active auditd': { code: 3, stdout: 'inactive\n', stderr: '' },
      },
      {},
    );
    const f1 = byId(await collectPosture(empty, () => NOW, 'linux'));
    expect(f1.get(FACT_IDS.firewallActive)).toMatchObject({ value: false, status: 'collected' });
    expect(f1.get(FACT_IDS.timeSynchronized)).toMatchObject({
      value: false,
      evidence: { source: 'chronyc tracking' },
    });
    expect(f1.get(FACT_IDS.auditdRunning)).toMatchObject({
      value: false,
      evidence: { raw: 'inactive' },
    });
    const ufw = fixtureHost(
      { 'nft list ruleset': ok(''), 'ufw status': ok('Status: active\n\nTo Action From\n') },
      {},
    );
    expect(
      byId(await collectPosture(ufw, () => NOW, 'linux')).get(FACT_IDS.firewallActive)?.value,
    ).toBe(true);
  });

  it('nft rule count: chain headers and policies are not rules', () => {
    expect(nftRuleCount(NFT_RULESET)).toBe(2);
    expect(
      nftRuleCount(
        'table inet filter {\n\tchain input {\n\t\ttype filter hook input priority 0; policy accept;\n\t}\n}\n',
      ),
    ).toBe(0);
  });

  it('not Linux: every fact is sent as not collected, naming the platform', async () => {
    const host = fixtureHost({}, {});
    const facts = await collectPosture(host, () => NOW, 'darwin');
    expect(facts).toHaveLength(Object.keys(FACT_IDS).length);
    for (const f of facts) {
      expect(f.status).toBe('not_collected');
      expect(f.reason).toContain('darwin');
    }
    expect(host.ran).toEqual([]);
  });
});
