// This host's figures through systeminformation, where there is no /proc (macOS, Windows).
import si from 'systeminformation';
import type { HostReader } from './collectors.js';
import { diskUsage, type InterfaceCounters } from './host-linux.js';

/** The root filesystem ("/", or the system drive on Windows). */
function rootPath(): string {
  return process.platform === 'win32' ? `${process.env.SystemDrive ?? 'C:'}\\` : '/';
}

export class SystemInformationHost implements HostReader {
  async cpu(): Promise<number | null> {
    return (await si.currentLoad()).currentLoad;
  }

  async memory(): Promise<number | null> {
    const mem = await si.mem();
    return mem.total > 0 ? ((mem.total - mem.available) / mem.total) * 100 : null;
  }

  async rootDisk(): Promise<number | null> {
    return (await diskUsage(rootPath()))?.use ?? null;
  }

  async network(): Promise<InterfaceCounters[]> {
    const stats = await si.networkStats().catch(() => []);
    return stats.map((n) => ({ iface: n.iface, rxBytes: n.rx_bytes, txBytes: n.tx_bytes }));
  }

  async filesystems(): Promise<{ mount: string; use: number }[]> {
    const disks = await si.fsSize().catch(() => []);
    return disks
      .filter((d) => d.size > 0 && Number.isFinite(d.use))
      .map((d) => ({ mount: d.mount, use: d.use }));
  }
}
