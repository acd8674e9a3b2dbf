import { describe, expect, it } from 'vitest';
import {
  cpuPercent,
  LinuxHost,
  parseMemInfo,
  parseMounts,
  parseNetDev,
  parseProcStat,
} from '../../agent/host-linux.js';

describe('Linux host readers', () => {
  it('cpu: busy share between two /proc/stat readings, iowait counted as idle', () => {
    const a = parseProcStat('cpu  100 0 100 700 100 0 0 0 0 0\ncpu0 50 0 50 350 50 0 0 0 0 0\n')!;
    const b = parseProcStat('cpu  200 0 150 800 150 0 0 0 0 0\ncpu0 100 0 75 400 75 0 0 0 0 0\n')!;
    expect(a).toEqual({ busy: 200, total: 1000 });
    // 150 busy of 300 elapsed.
    expect(cpuPercent(a, b)).toBeCloseTo(50, 6);
    expect(cpuPercent(b, b)).toBeNull();
    expect(parseProcStat('intr 1 2 3\n')).toBeNull();
  });

  it('memory: used share with reclaimable cache counted as free', () => {
    expect(parseMemInfo('MemTotal: 1000 kB\nMemFree: 100 kB\nMemAvailable: 750 kB\n')).toBe(25);
    // An old kernel without MemAvailable: free + buffers + cached.
    expect(
      parseMemInfo('MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 100 kB\nCached: 300 kB\n'),
    ).toBe(50);
    expect(parseMemInfo('')).toBeNull();
  });

  it('network: byte counters per interface, loopback left out', () => {
    const text = [
      'Inter-|   Receive                            |  Transmit',
      ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets',
      '    lo: 999 1 0 0 0 0 0 0 999 1 0 0 0 0 0 0',
      '  eth0: 2241776618 65911 0 0 0 0 0 0 7550317 51399 0 0 0 0 0 0',
      'wlan0:12 1 0 0 0 0 0 0 34 1 0 0 0 0 0 0',
    ].join('\n');
    expect(parseNetDev(text)).toEqual([
      { iface: 'eth0', rxBytes: 2241776618, txBytes: 7550317 },
      { iface: 'wlan0', rxBytes: 12, txBytes: 34 },
    ]);
  });

  it('filesystems: real devices once each, the container root, no squashfs or pseudo-filesystems', () => {
    const text = [
      'proc /proc proc rw 0 0',
      'tmpfs /dev/shm tmpfs rw 0 0',
      '/dev/vda1 / ext4 rw 0 0',
      '/dev/vda1 /var/lib/bind ext4 rw 0 0',
      '/dev/loop3 /snap/core/1 squashfs ro 0 0',
      '/dev/sdb1 /mnt/my\\040disk xfs rw 0 0',
    ].join('\n');
    expect(parseMounts(text)).toEqual(['/', '/mnt/my disk']);
    expect(parseMounts('overlay / overlay rw 0 0\noverlay /x overlay rw 0 0\n')).toEqual(['/']);
  });

  it.runIf(process.platform === 'linux')(
    'reads this host: figures in range, the root among the filesystems',
    async () => {
      const host = new LinuxHost();
      // The first reading is the baseline, not an average since boot.
      expect(await host.cpu()).toBeNull();
      // The next reading once the kernel's counters have moved (they tick every 10 ms or so).
      let second: number | null = null;
      const deadline = performance.now() + 10_000;
      while (second === null && performance.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
        second = await host.cpu();
      }
      expect(second).not.toBeNull();
      expect(second).toBeGreaterThanOrEqual(0);
      expect(second).toBeLessThanOrEqual(100);
      for (const v of [await host.memory(), await host.rootDisk()]) {
        expect(v).toBeGreaterThan(0);
        expect(v).toBeLessThanOrEqual(100);
      }
      const fs = await host.filesystems();
      expect(fs.map((f) => f.mount)).toContain('/');
      for (const n of await host.network()) {
        expect(n.iface).not.toBe('lo');
        expect(n.rxBytes).toBeGreaterThanOrEqual(0);
      }
    },
  );
});
