// Each region's threat level (GET /api/v1/security/threat, shared/threat-level.ts), polled:
// detections come and age out on the core's clock, not with the stream's fleet updates.
import { useCallback, useMemo } from 'react';
import type { RegionThreat } from '../../../../shared/threat-level';
import { useServices } from '../../api/context';
import { usePolled } from '../../lib/use-polled';

export interface ThreatLevels {
  byRegion: ReadonlyMap<string, RegionThreat>;
  /** The last poll failed: what is shown is the last good answer, or nothing. */
  error: string | null;
}

export function useThreatLevels(everyMs = 15_000): ThreatLevels {
  const { api } = useServices();
  const load = useCallback(() => api.get('GET /api/v1/security/threat'), [api]);
  const { data, error } = usePolled(load, everyMs);
  const byRegion = useMemo(
    () => new Map((data?.regions ?? []).map((t) => [t.regionId, t] as const)),
    [data],
  );
  return { byRegion, error };
}
