// How often the host agent's collectors run. Apart from the collectors themselves, so the
// command line's help and defaults do not load systeminformation.

export type CollectorName = 'headline' | 'filesystems' | 'network';

/** How often each collector runs unless told otherwise (ms). */
export const DEFAULT_INTERVALS: Readonly<Record<CollectorName, number>> = {
  // cpu, memory, root disk, load: the brief asks for collection under 1 s.
  headline: 1_000,
  // Byte counters: rates over 5 s are fine-grained enough.
  network: 5_000,
  // Every mount (a statfs each, or `df` where systeminformation reads them): filesystems
  // fill over hours, not seconds.
  filesystems: 30_000,
};

/** The bounds a command line or config may set an interval within (ms). */
export const INTERVAL_BOUNDS = { min: 250, max: 3_600_000 } as const;
