// Password ageing (/etc/login.defs), pending security updates, automatic updates and disk
// encryption.
import { FACT_IDS, type PostureFact } from '../../../shared/posture.js';
import { collected, commandLine, commandProblem, notCollected } from './fact.js';
import type { HostAccess } from './host-access.js';

export const LOGIN_DEFS = '/etc/login.defs';
const AGEING = [
  ['PASS_MAX_DAYS', FACT_IDS.passwordMaxDays],
  ['PASS_MIN_DAYS', FACT_IDS.passwordMinDays],
  ['PASS_WARN_AGE', FACT_IDS.passwordWarnAge],
] as const;

/** PASS_MAX_DAYS, PASS_MIN_DAYS, PASS_WARN_AGE; unset ones get shadow's defaults (99999, 0, 7). */
export async function collectPasswordAgeing(host: HostAccess, now: number): Promise<PostureFact[]> {
  const text = await host.fs.readFile(LOGIN_DEFS);
  if (text === null)
    return AGEING.map(([, id]) =>
      notCollected(id, `${LOGIN_DEFS} is missing or unreadable`, now, LOGIN_DEFS),
    );
  const defaults: Record<string, number> = {
    PASS_MAX_DAYS: 99999,
    PASS_MIN_DAYS: 0,
    PASS_WARN_AGE: 7,
  };
  return AGEING.map(([key, id]) => {
    const line = text.split('\n').find((l) => new RegExp(`^\\s*${key}\\s+`).test(l));
    if (!line)
      return collected(
        id,
        defaults[key]!,
        LOGIN_DEFS,
        `(${key} not set: default ${defaults[key]})`,
        now,
      );
    const n = Number(line.trim().split(/\s+/)[1]);
    return Number.isInteger(n)
      ? collected(id, n, LOGIN_DEFS, line.trim(), now)
      : notCollected(id, `${key} is not a whole number`, now, LOGIN_DEFS, line.trim());
  });
}

/** apt: `apt-get -s upgrade` lines `Inst … (… -security …)`; dnf: `dnf -q updateinfo list --security`. */
export async function collectSecurityUpdates(host: HostAccess, now: number): Promise<PostureFact> {
  const id = FACT_IDS.updatesSecurityPending;
  const apt = ['apt-get', '-s', '-o', 'Debug::NoLocking=true', 'upgrade'];
  const a = await host.run(apt);
  if (a.code === 0) {
    const lines = a.stdout
      .split('\n')
      .filter((l) => l.startsWith('Inst ') && /-security\b/i.test(l));
    return collected(
      id,
      lines.length,
      commandLine(apt),
      lines.join('\n') || '(no security updates)',
      now,
    );
  }
  const dnf = ['dnf', '-q', 'updateinfo', 'list', '--security'];
  const d = await host.run(dnf);
  if (d.code === 0) {
    const lines = d.stdout.split('\n').filter((l) => /\S+\s+\S*[Ss]ec\S*\s+\S+/.test(l.trim()));
    return collected(
      id,
      lines.length,
      commandLine(dnf),
      lines.join('\n') || '(no security updates)',
      now,
    );
  }
  return notCollected(
    id,
    `the package manager cannot tell: ${commandProblem(apt, a)}; ${commandProblem(dnf, d)}`,
    now,
    `${commandLine(apt)} | ${commandLine(dnf)}`,
  );
}

const AUTO_UPGRADES = '/etc/apt/apt.conf.d/20auto-upgrades';

/** apt: APT::Periodic::Unattended-Upgrade "1" (and the program present); dnf: its timer enabled. */
export async function collectAutomaticUpdates(host: HostAccess, now: number): Promise<PostureFact> {
  const id = FACT_IDS.updatesAutomatic;
  const conf = await host.fs.readFile(AUTO_UPGRADES);
  const installed = (await host.fs.readFile('/usr/bin/unattended-upgrade')) !== null;
  if (conf !== null || installed) {
    const line = conf?.split('\n').find((l) => /APT::Periodic::Unattended-Upgrade/.test(l)) ?? '';
    const on = installed && /"\s*[1-9]\d*\s*"/.test(line);
    const raw = `${line.trim() || '(APT::Periodic::Unattended-Upgrade not set)'}${installed ? '' : '\n(unattended-upgrades not installed)'}`;
    return collected(id, on, AUTO_UPGRADES, raw, now);
  }
  for (const unit of ['dnf-automatic-install.timer', 'dnf-automatic.timer']) {
    const argv = ['systemctl', 'is-enabled', unit];
    const out = await host.run(argv);
    if (out.stdout.trim() === 'enabled')
      return collected(id, true, commandLine(argv), 'enabled', now);
  }
  const dnfConf = await host.fs.readFile('/etc/dnf/automatic.conf');
  if (dnfConf !== null)
    return collected(id, false, '/etc/dnf/automatic.conf', 'dnf-automatic timer not enabled', now);
  return collected(
    id,
    false,
    AUTO_UPGRADES,
    'neither unattended-upgrades nor dnf-automatic is configured',
    now,
  );
}

/** lsblk's TYPE column: a `crypt` device is a dm-crypt (LUKS) mapping; else /sys/block/dm-*. */
export async function collectDiskEncryption(host: HostAccess, now: number): Promise<PostureFact> {
  const id = FACT_IDS.diskEncryption;
  const argv = ['lsblk', '-n', '-l', '-o', 'NAME,TYPE'];
  const out = await host.run(argv);
  if (out.code === 0) {
    const crypt = out.stdout.split('\n').filter((l) => /\scrypt\s*$/.test(l));
    return collected(
      id,
      crypt.length > 0,
      commandLine(argv),
      crypt.join('\n') || '(no crypt device)',
      now,
    );
  }
  const dms = await host.fs.readDir('/sys/block');
  if (dms === null) return notCollected(id, commandProblem(argv, out), now, commandLine(argv));
  for (const dm of dms.filter((d) => d.startsWith('dm-'))) {
    const uuid = (await host.fs.readFile(`/sys/block/${dm}/dm/uuid`))?.trim() ?? '';
    if (uuid.startsWith('CRYPT-'))
      return collected(id, true, `/sys/block/${dm}/dm/uuid`, uuid, now);
  }
  return collected(id, false, '/sys/block/dm-*/dm/uuid', '(no CRYPT- device-mapper device)', now);
}
