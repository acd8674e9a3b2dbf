// When ingest closes and opens again: on a failed WAL write until space is back and a probe
// write succeeds; while the WAL's queue is over its bound. Driven by a manual clock.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../shared/clock.js';
import { IngestAdmission } from '../../electron/core/ingest/admission.js';
import { LowDiskWatch } from '../../electron/core/store/disk-space.js';

const MB = 1024 * 1024;
const enospc = () =>
  Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });

/** Let the probe's awaits run. */
const settle = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

function setup() {
  const clock = new ManualClock();
  const disk = { free: 0, queued: 0, probeFails: false };
  const log: string[] = [];
  const admission = new IngestAdmission(
    {
      clock,
      queuedBytes: () => disk.queued,
      freeBytes: () => Promise.resolve(disk.free),
      probeWrite: () => (disk.probeFails ? Promise.reject(enospc()) : Promise.resolve()),
      paused: (reason, err) => log.push(`paused ${reason} ${(err as NodeJS.ErrnoException).code}`),
      resumed: (ms) => log.push(`resumed after ${ms} ms`),
    },
    { maxQueuedBytes: 64 * MB, resumeFreeBytes: 10 * MB, probeMs: 1_000, maxProbeMs: 8_000 },
  );
  return { clock, disk, log, admission };
}

describe('IngestAdmission', () => {
  it('is open by default', () => {
    expect(setup().admission.check()).toEqual({ open: true });
  });

  it('closes on ENOSPC as disk_full, stays closed while space is short, opens once a probe write succeeds', async () => {
    const { clock, disk, log, admission } = setup();
    admission.writeFailed(enospc());
    admission.writeFailed(enospc()); // one episode, one pause
    expect(admission.check()).toMatchObject({
      open: false,
      reason: 'disk_full',
      retryAfterMs: 1_000,
    });
    expect(log).toEqual(['paused disk_full ENOSPC']);
    disk.free = 5 * MB;
    clock.advance(1_000);
    await settle();
    expect(admission.check().open).toBe(false);
    disk.free = 20 * MB;
    disk.probeFails = true; // space shows, but the disk still refuses (a quota, say)
    clock.advance(1_000);
    await settle();
    expect(admission.check().open).toBe(false);
    disk.probeFails = false;
    clock.advance(1_000);
    await settle();
    expect(admission.check()).toEqual({ open: true });
    expect(log).toEqual(['paused disk_full ENOSPC', 'resumed after 3000 ms']);
    expect(admission.pauses.disk_full).toBe(1);
  });

  it('calls other write errors write_failed', () => {
    const { admission } = setup();
    admission.writeFailed(Object.assign(new Error('EIO'), { code: 'EIO' }));
    expect(admission.check()).toMatchObject({ open: false, reason: 'write_failed' });
  });

  it('waits longer after each relapse, and starts quick again after a stable stretch', async () => {
    const { clock, disk, admission } = setup();
    disk.free = 20 * MB;
    admission.writeFailed(enospc());
    clock.advance(1_000);
    await settle();
    expect(admission.check().open).toBe(true);
    admission.writeSucceeded();
    admission.writeFailed(enospc()); // at once again
    expect(admission.check()).toMatchObject({ retryAfterMs: 2_000 });
    clock.advance(1_999);
    await settle();
    expect(admission.check().open).toBe(false);
    clock.advance(1);
    await settle();
    expect(admission.check().open).toBe(true);
    clock.advance(61_000);
    admission.writeSucceeded();
    admission.writeFailed(enospc());
    expect(admission.check()).toMatchObject({ retryAfterMs: 1_000 });
  });

  it('closes while the WAL queue is over its bound and opens again below half of it', () => {
    const { disk, admission, log } = setup();
    disk.queued = 65 * MB;
    expect(admission.check()).toMatchObject({ open: false, reason: 'write_backlog' });
    disk.queued = 40 * MB;
    expect(admission.check().open).toBe(false);
    disk.queued = 31 * MB;
    expect(admission.check().open).toBe(true);
    disk.queued = 40 * MB;
    expect(admission.check().open).toBe(true);
    expect(admission.pauses.write_backlog).toBe(1);
    // A passing backlog is no disk failure: no alert.
    expect(log).toEqual([]);
  });
});

describe('LowDiskWatch', () => {
  it('warns below the threshold and clears 20 % above it', async () => {
    const clock = new ManualClock();
    let free = 2_000;
    const log: string[] = [];
    const watch = new LowDiskWatch(
      {
        clock,
        freeBytes: () => Promise.resolve(free),
        low: (f, t) => log.push(`low ${f}/${t}`),
        recovered: (f) => log.push(`ok ${f}`),
      },
      1_000,
      30_000,
    );
    await watch.check();
    free = 900;
    await watch.check();
    await watch.check();
    free = 1_100; // above the line, within the margin: still low
    await watch.check();
    free = 1_300;
    await watch.check();
    expect(log).toEqual(['low 900/1000', 'ok 1300']);
    expect(watch.lastFree).toBe(1_300);
  });
});
