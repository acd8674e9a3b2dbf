// This host's figures on Linux, read from /proc and statfs: no child process, no shell.
// systeminformation (used on other platforms) runs `execSync('cat /proc/stat | grep cpu')` on
// every cpu reading and a shell for network counters, which at a 1 s interval cost the agent
// more than 1 % of a core and blocked its event loop; these reads cost a fraction of that.
import { readFile, statfs } from 'node:fs/promises';
import type { HostReader } from './collectors.js';

export interface CpuTimes {
  /** Jiffies not idle and not waiting for I/O. */
  busy: number;
  total: number;
}

/** The aggregate `cpu` line of /proc/stat. iowait counts as idle (as top's %CPU does). */
export function parseProcStat(text: string): CpuTimes | null {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) return null;
  // user nice system idle iowait irq softirq steal [guest guest_nice: already in user/nice]
  const f = line.trim().split(/\s+/).slice(1, 9).map(Number);
  if (f.length < 4 || f.some((v) => !Number.isFinite(v))) return null;
  const total = f.reduce((a, b) => a + b, 0);
  const idle = f[3]! + (f[4] ?? 0);
  return { busy: total - idle, total };
}

/** Percent busy between two readings, or null when no time passed. */
export function cpuPercent(before: CpuTimes, after: CpuTimes): number | null {
  const total = after.total - before.total;
  if (total <= 0) return null;
  return Math.min(100, Math.max(0, ((after.busy - before.busy) / total) * 100));
}

/** Used memory: total less what is available without swapping (reclaimable cache is free). */
export function parseMemInfo(text: string): number | null {
  const kib = (key: string) => {
    const m = new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(text);
    return m ? Number(m[1]) : null;
  };
  const total = kib('MemTotal');
  const available =
    kib('MemAvailable') ?? sum([kib('MemFree'), kib('Buffers'), kib('Cached')].map((v) => v ?? 0));
  if (!total) return null;
  return ((total - available) / total) * 100;
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

export interface InterfaceCounters {
  iface: string;
  rxBytes: number;
  txBytes: number;
}

/** /proc/net/dev: byte counters per interface, loopback left out. */
export function parseNetDev(text: string): InterfaceCounters[] {
  const out: InterfaceCounters[] = [];
  for (const line of text.split('\n').slice(2)) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const iface = line.slice(0, colon).trim();
    const f = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/)
      .map(Number);
    if (iface === 'lo' || f.length < 9 || !Number.isFinite(f[0]) || !Number.isFinite(f[8]))
      continue;
    if (out.some((o) => o.iface === iface)) continue;
    out.push({ iface, rxBytes: f[0]!, txBytes: f[8]! });
  }
  return out;
}

/**
 * Mount points of real filesystems in /proc/self/mounts: a device path (a disk, not proc,
 * tmpfs or cgroup), or the root's overlay in a container; each device once; no squashfs
 * (read-only snap images, always full).
 */
export function parseMounts(text: string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const [device, rawMount, type] = line.split(' ');
    if (!device || !rawMount || !type || type === 'squashfs') continue;
    // Spaces and tabs in mount points are octal escapes in this file.
    const mount = rawMount.replace(/\\([0-7]{3})/g, (_, o: string) =>
      String.fromCharCode(parseInt(o, 8)),
    );
    const real = device.startsWith('/') || (type === 'overlay' && mount === '/');
    if (!real || seen.has(device)) continue;
    seen.add(device);
    out.push(mount);
  }
  return out;
}

/** Percent used as `df` computes it: used ÷ (used + available to unprivileged users). */
export async function diskUsage(path: string): Promise<{ use: number; size: number } | null> {
  try {
    const s = await statfs(path);
    const used = s.blocks - s.bfree;
    const total = used + s.bavail;
    return total > 0 ? { use: (used / total) * 100, size: s.blocks * s.bsize } : null;
  } catch {
    return null;
  }
}

/** Reads of this host, keeping the previous cpu reading for the next percentage. */
export class LinuxHost implements HostReader {
  private lastCpu: CpuTimes | null = null;

  /**
   * cpu % since the previous call. The first call only takes the baseline (null): a figure
   * averaged since boot would be shown, and alerted on, as the current load.
   */
  async cpu(): Promise<number | null> {
    const now = parseProcStat(await readFile('/proc/stat', 'utf8'));
    if (!now) return null;
    const before = this.lastCpu;
    this.lastCpu = now;
    return before ? cpuPercent(before, now) : null;
  }

  async memory(): Promise<number | null> {
    return parseMemInfo(await readFile('/proc/meminfo', 'utf8'));
  }

  async rootDisk(): Promise<number | null> {
    return (await diskUsage('/'))?.use ?? null;
  }

  async network(): Promise<InterfaceCounters[]> {
    return parseNetDev(await readFile('/proc/net/dev', 'utf8'));
  }

  async filesystems(): Promise<{ mount: string; use: number }[]> {
    const mounts = parseMounts(await readFile('/proc/self/mounts', 'utf8'));
    const out: { mount: string; use: number }[] = [];
    for (const mount of mounts) {
      const d = await diskUsage(mount);
      if (d && d.size > 0) out.push({ mount, use: d.use });
    }
    return out;
  }
}
