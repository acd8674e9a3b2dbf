import { loadavg } from 'node:os';
import si from 'systeminformation';
import type { Clock } from '../shared/clock.js';
import type { Sample } from '../shared/protocol.js';
import { roundForUnit } from './precision.js';

/**
 * This host's figures from the systeminformation package: cpu, memory, disk, network and
 * load. Names match the console's built-in rules (cpu_usage, memory_usage, disk_usage).
 */
export async function collectHostSamples(clock: Clock): Promise<Sample[]> {
  const [load, mem, disks, net] = await Promise.all([
    si.currentLoad(),
    si.mem(),
    si.fsSize().catch(() => []),
    si.networkStats().catch(() => []),
  ]);
  const ts = clock.now();
  const gauge = (
    name: string,
    value: number,
    unit: string,
    labels?: Record<string, string>,
  ): Sample => ({
    name,
    value: roundForUnit(value, unit),
    ts,
    unit,
    kind: 'gauge',
    ...(labels ? { labels } : {}),
  });
  const samples: Sample[] = [
    gauge('cpu_usage', load.currentLoad, '%'),
    // "available" counts reclaimable cache as free, which is what an operator means by used memory.
    gauge('memory_usage', mem.total > 0 ? ((mem.total - mem.available) / mem.total) * 100 : 0, '%'),
  ];
  const [l1, l5, l15] = loadavg();
  samples.push(gauge('load1', l1!, ''), gauge('load5', l5!, ''), gauge('load15', l15!, ''));
  const real = disks.filter((d) => d.size > 0 && Number.isFinite(d.use));
  const root = real.find((d) => d.mount === '/') ?? real[0];
  if (root) samples.push(gauge('disk_usage', root.use, '%'));
  for (const d of real.slice(0, 8)) {
    samples.push(gauge('filesystem_usage', d.use, '%', { mount: d.mount.slice(0, 200) || '/' }));
  }
  for (const n of net.slice(0, 8)) {
    const labels = { interface: n.iface.slice(0, 64) };
    samples.push(
      { name: 'network_rx_bytes_total', value: n.rx_bytes, ts, unit: 'B', kind: 'counter', labels },
      { name: 'network_tx_bytes_total', value: n.tx_bytes, ts, unit: 'B', kind: 'counter', labels },
    );
  }
  return samples.filter((s) => Number.isFinite(s.value));
}
