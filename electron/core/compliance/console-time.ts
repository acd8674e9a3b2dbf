// The console host's clock synchronisation, for the console-time-synchronised control: asked
// of systemd (`timedatectl show -p NTPSynchronized --value`) with a timeout and no shell, at
// start and hourly. Where there is no timedatectl (macOS, Windows, containers) it is unknown,
// with the reason.
import { execFile } from 'node:child_process';

export interface TimeSyncReading {
  synced: boolean | null;
  source: string;
  raw: string;
  reason?: string;
}

const ARGV = ['timedatectl', 'show', '-p', 'NTPSynchronized', '--value'] as const;

export function readConsoleTimeSync(timeoutMs = 5_000): Promise<TimeSyncReading> {
  const source = ARGV.join(' ');
  return new Promise((resolve) => {
    execFile(ARGV[0], ARGV.slice(1), { timeout: timeoutMs }, (err, stdout) => {
      const raw = String(stdout).trim();
      if (err) {
        const code = (err as NodeJS.ErrnoException).code;
        const reason = code === 'ENOENT' ? 'timedatectl is not installed' : err.message;
        return resolve({ synced: null, source, raw, reason });
      }
      if (raw === 'yes' || raw === 'no') return resolve({ synced: raw === 'yes', source, raw });
      resolve({ synced: null, source, raw, reason: `unexpected output '${raw.slice(0, 40)}'` });
    });
  });
}
