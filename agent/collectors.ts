import { loadavg } from 'node:os';
import type { Clock } from '../shared/clock.js';
import type { Sample } from '../shared/protocol.js';
import type { InterfaceCounters } from './host-linux.js';
import type { CollectorName } from './intervals.js';
import { roundForUnit } from './precision.js';

/**
 * This host's figures, in groups that run on their own intervals (./intervals.ts). Names
 * match the console's built-in rules (cpu_usage, memory_usage, disk_usage).
 *
 * - headline: cpu, memory, root disk and load, every second by default.
 * - network: interface byte counters, every 5 s by default.
 * - filesystems: every real mount's usage, every 30 s by default.
 */
export type Collector = (clock: Clock) => Promise<Sample[]>;

/** Where the figures come from: /proc on Linux (./host-linux.ts), systeminformation elsewhere. */
export interface HostReader {
  /** Percent busy since the previous call. */
  cpu(): Promise<number | null>;
  /** Percent used, reclaimable cache counted as free. */
  memory(): Promise<number | null>;
  rootDisk(): Promise<number | null>;
  network(): Promise<InterfaceCounters[]>;
  filesystems(): Promise<{ mount: string; use: number }[]>;
}

/** The reader for this platform; systeminformation is loaded only where /proc is not there. */
export async function hostReader(): Promise<HostReader> {
  if (process.platform === 'linux') return new (await import('./host-linux.js')).LinuxHost();
  return new (await import('./host-si.js')).SystemInformationHost();
}

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

const finite = (samples: Sample[]) => samples.filter((s) => Number.isFinite(s.value));

export function collectors(host: HostReader): Record<CollectorName, Collector> {
  return {
    async headline(clock) {
      const [cpu, memory, disk] = await Promise.all([host.cpu(), host.memory(), host.rootDisk()]);
      const ts = clock.now();
      const samples: Sample[] = [];
      if (cpu !== null) samples.push(gauge(ts, 'cpu_usage', cpu, '%'));
      if (memory !== null) samples.push(gauge(ts, 'memory_usage', memory, '%'));
      if (disk !== null) samples.push(gauge(ts, 'disk_usage', disk, '%'));
      const [l1, l5, l15] = loadavg();
      samples.push(
        gauge(ts, 'load1', l1!, ''),
        gauge(ts, 'load5', l5!, ''),
        gauge(ts, 'load15', l15!, ''),
      );
      return finite(samples);
    },
    async network(clock) {
      const counters = await host.network();
      const ts = clock.now();
      const samples: Sample[] = [];
      for (const n of counters.slice(0, 8)) {
        const labels = { interface: n.iface.slice(0, 64) };
        samples.push(
          {
            name: 'network_rx_bytes_total',
            value: n.rxBytes,
            ts,
            unit: 'B',
            kind: 'counter',
            labels,
          },
          {
            name: 'network_tx_bytes_total',
            value: n.txBytes,
            ts,
            unit: 'B',
            kind: 'counter',
            labels,
          },
        );
      }
      return finite(samples);
    },
    async filesystems(clock) {
      const mounts = await host.filesystems();
      const ts = clock.now();
      return finite(
        mounts
          .slice(0, 8)
          .map((d) =>
            gauge(ts, 'filesystem_usage', d.use, '%', { mount: d.mount.slice(0, 200) || '/' }),
          ),
      );
    },
  };
}
