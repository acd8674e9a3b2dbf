import { statfs } from 'node:fs/promises';
import { loadavg } from 'node:os';
import si from 'systeminformation';
import type { Clock } from '../shared/clock.js';
import type { Sample } from '../shared/protocol.js';
import type { CollectorName } from './intervals.js';
import { roundForUnit } from './precision.js';

/**
 * This host's figures, in groups that run on their own intervals. Names match the console's
 * built-in rules (cpu_usage, memory_usage, disk_usage).
 *
 * - headline: cpu, memory, root disk and load, every second by default. Each is a read of
 *   /proc or one system call (no child process), so collecting them often stays cheap.
 * - filesystems: every mount's usage (systeminformation runs `df`), every 30 s by default.
 * - network: interface byte counters (systeminformation reads sysfs through a shell), every
 *   5 s by default.
 *
 * The intervals are in ./intervals.ts.
 */
export type Collector = (clock: Clock) => Promise<Sample[]>;

function gauge(
  ts: number,
  name: string,
  value: number,
  unit: string,
  labels?: Record<string, string>,
): Sample {
  return {
    name,
    value: roundForUnit(value, unit),
    ts,
    unit,
    kind: 'gauge',
    ...(labels ? { labels } : {}),
  };
}

/** The root filesystem ("/", or the system drive on Windows). */
function rootPath(): string {
  return process.platform === 'win32' ? `${process.env.SystemDrive ?? 'C:'}\\` : '/';
}

/** Percent used as `df` computes it: used ÷ (used + available to unprivileged users). */
async function rootDiskUsage(): Promise<number | null> {
  try {
    const s = await statfs(rootPath());
    const used = s.blocks - s.bfree;
    const total = used + s.bavail;
    return total > 0 ? (used / total) * 100 : null;
  } catch {
    return null;
  }
}

/** cpu_usage (since the previous call), memory_usage, disk_usage of the root, load1/5/15. */
export async function collectHeadline(clock: Clock): Promise<Sample[]> {
  const [load, mem, disk] = await Promise.all([si.currentLoad(), si.mem(), rootDiskUsage()]);
  const ts = clock.now();
  const samples: Sample[] = [
    gauge(ts, 'cpu_usage', load.currentLoad, '%'),
    // "available" counts reclaimable cache as free, which is what an operator means by used memory.
    gauge(
      ts,
      'memory_usage',
      mem.total > 0 ? ((mem.total - mem.available) / mem.total) * 100 : 0,
      '%',
    ),
  ];
  if (disk !== null) samples.push(gauge(ts, 'disk_usage', disk, '%'));
  const [l1, l5, l15] = loadavg();
  samples.push(
    gauge(ts, 'load1', l1!, ''),
    gauge(ts, 'load5', l5!, ''),
    gauge(ts, 'load15', l15!, ''),
  );
  return samples.filter((s) => Number.isFinite(s.value));
}

/** filesystem_usage{mount} for up to 8 real filesystems. */
export async function collectFilesystems(clock: Clock): Promise<Sample[]> {
  const disks = await si.fsSize().catch(() => []);
  const ts = clock.now();
  return disks
    .filter((d) => d.size > 0 && Number.isFinite(d.use))
    .slice(0, 8)
    .map((d) => gauge(ts, 'filesystem_usage', d.use, '%', { mount: d.mount.slice(0, 200) || '/' }));
}

/** network_rx/tx_bytes_total{interface} counters for up to 8 interfaces. */
export async function collectNetwork(clock: Clock): Promise<Sample[]> {
  const net = await si.networkStats().catch(() => []);
  const ts = clock.now();
  const samples: Sample[] = [];
  for (const n of net.slice(0, 8)) {
    const labels = { interface: n.iface.slice(0, 64) };
    samples.push(
      { name: 'network_rx_bytes_total', value: n.rx_bytes, ts, unit: 'B', kind: 'counter', labels },
      { name: 'network_tx_bytes_total', value: n.tx_bytes, ts, unit: 'B', kind: 'counter', labels },
    );
  }
  return samples.filter((s) => Number.isFinite(s.value));
}

export const COLLECTORS: Record<CollectorName, Collector> = {
  headline: collectHeadline,
  filesystems: collectFilesystems,
  network: collectNetwork,
};
