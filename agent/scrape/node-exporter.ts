// node_exporter's series as the agent's built-in metrics, so the console's default rules
// (cpu_usage, memory_usage, disk_usage) and capacity forecasts (filesystem_usage) work for a
// host whether the agent reads /proc itself or scrapes node_exporter. Same names, units and
// definitions as agent/collectors.ts and agent/host-linux.ts (see docs/scrape.md).
import type { Sample } from '../../shared/protocol.js';
import { cpuPercent, type CpuTimes } from '../host-linux.js';
import { roundForUnit } from '../precision.js';
import type { ExpositionSample } from './exposition.js';

/** The names a node_exporter scrape can stand in for (the agent's own collectors skip them). */
export const BUILTIN_NAMES = [
  'cpu_usage',
  'memory_usage',
  'disk_usage',
  'filesystem_usage',
] as const;

/**
 * Filesystems that are not disks a host fills: memory-backed, virtual, read-only images, a
 * container's layers. node_exporter already leaves most virtual ones out by default; this is
 * for exporters started with other flags. A container's root overlay still counts, as it does
 * for the agent's own collector: it is the disk the container fills.
 */
const NOT_A_DISK = new Set([
  'tmpfs',
  'ramfs',
  'devtmpfs',
  'overlay',
  'squashfs',
  'iso9660',
  'proc',
  'sysfs',
  'cgroup',
  'cgroup2',
  'autofs',
  'nsfs',
  'fuse.lxcfs',
  'devpts',
  'mqueue',
  'tracefs',
  'debugfs',
  'securityfs',
  'pstore',
  'bpf',
  'configfs',
  'binfmt_misc',
  'hugetlbfs',
]);

/** At most this many mounts, as the agent's filesystems collector sends. */
const MAX_MOUNTS = 8;

const pct = (ts: number, name: string, value: number, labels?: Record<string, string>): Sample => ({
  name,
  value: roundForUnit(Math.min(100, Math.max(0, value)), '%'),
  ts,
  unit: '%',
  kind: 'gauge',
  ...(labels ? { labels } : {}),
});

/** One node_exporter target's mapping; it keeps the previous cpu reading for the next percentage. */
export class NodeExporterMapping {
  private lastCpu: CpuTimes | null = null;

  /** The built-in samples this scrape yields (none if it is not node_exporter's text). */
  map(samples: readonly ExpositionSample[], ts: number): Sample[] {
    const out: Sample[] = [];
    const cpu = this.cpu(samples);
    if (cpu !== null) out.push(pct(ts, 'cpu_usage', cpu));
    const memory = memoryPercent(samples);
    if (memory !== null) out.push(pct(ts, 'memory_usage', memory));
    for (const fs of filesystems(samples)) {
      if (fs.mount === '/') out.push(pct(ts, 'disk_usage', fs.use));
      out.push(pct(ts, 'filesystem_usage', fs.use, { mount: fs.mount.slice(0, 200) }));
    }
    return out;
  }

  /**
   * Percent busy across all cpus since the previous scrape, from node_cpu_seconds_total by
   * mode; idle and iowait count as idle, as the agent's /proc/stat reading does. The first
   * scrape (and the one after a reset, e.g. a reboot) only takes the baseline.
   */
  private cpu(samples: readonly ExpositionSample[]): number | null {
    let total = 0;
    let idle = 0;
    let seen = false;
    for (const s of samples) {
      if (s.name !== 'node_cpu_seconds_total' || !Number.isFinite(s.value)) continue;
      seen = true;
      total += s.value;
      if (s.labels.mode === 'idle' || s.labels.mode === 'iowait') idle += s.value;
    }
    if (!seen) {
      this.lastCpu = null;
      return null;
    }
    const now: CpuTimes = { busy: total - idle, total };
    const before = this.lastCpu;
    this.lastCpu = now;
    if (!before || now.total < before.total || now.busy < before.busy) return null;
    return cpuPercent(before, now);
  }
}

function gaugeOf(samples: readonly ExpositionSample[], name: string): number | null {
  const s = samples.find((x) => x.name === name && Number.isFinite(x.value));
  return s ? s.value : null;
}

/** Used memory: total less what is available without swapping (as agent/host-linux.ts). */
export function memoryPercent(samples: readonly ExpositionSample[]): number | null {
  const total = gaugeOf(samples, 'node_memory_MemTotal_bytes');
  if (!total || total <= 0) return null;
  const available =
    gaugeOf(samples, 'node_memory_MemAvailable_bytes') ??
    (gaugeOf(samples, 'node_memory_MemFree_bytes') ?? 0) +
      (gaugeOf(samples, 'node_memory_Buffers_bytes') ?? 0) +
      (gaugeOf(samples, 'node_memory_Cached_bytes') ?? 0);
  return ((total - available) / total) * 100;
}

interface Mount {
  device: string;
  fstype: string;
  size?: number;
  free?: number;
  avail?: number;
  error?: boolean;
}

/**
 * Percent used per mount as `df` (and the agent) computes it: used ÷ (used + available to
 * unprivileged users), used = size − free. Disks only (NOT_A_DISK), each device once, none
 * node_exporter could not read (node_filesystem_device_error 1).
 */
export function filesystems(
  samples: readonly ExpositionSample[],
): { mount: string; use: number }[] {
  const mounts = new Map<string, Mount>();
  const field: Record<string, keyof Mount> = {
    node_filesystem_size_bytes: 'size',
    node_filesystem_free_bytes: 'free',
    node_filesystem_avail_bytes: 'avail',
    node_filesystem_device_error: 'error',
  };
  for (const s of samples) {
    const key = field[s.name];
    const mount = s.labels.mountpoint;
    if (!key || mount === undefined) continue;
    const m = mounts.get(mount) ?? {
      device: s.labels.device ?? '',
      fstype: s.labels.fstype ?? '',
    };
    if (key === 'error') m.error = s.value !== 0;
    else if (key === 'size' || key === 'free' || key === 'avail') m[key] = s.value;
    mounts.set(mount, m);
  }
  const devices = new Set<string>();
  const out: { mount: string; use: number }[] = [];
  for (const [mount, m] of mounts) {
    const rootOverlay = m.fstype === 'overlay' && mount === '/';
    if ((NOT_A_DISK.has(m.fstype) && !rootOverlay) || m.error) continue;
    const { size, free, avail } = m;
    if (size === undefined || avail === undefined || !(size > 0)) continue;
    const device = m.device || mount;
    if (devices.has(device)) continue;
    devices.add(device);
    const used = size - (free ?? avail);
    const total = used + avail;
    if (!Number.isFinite(total) || total <= 0) continue;
    out.push({ mount, use: (used / total) * 100 });
  }
  // The root first: with many mounts it is the one that must not be cut off.
  out.sort((a, b) => Number(b.mount === '/') - Number(a.mount === '/'));
  return out.slice(0, MAX_MOUNTS);
}
