// How far apart two regions are, from the fleet's region map (shared/regions.ts: each region's
// latitude and longitude): the great-circle distance, which is what "impossible travel"
// compares with how fast a person can get from one to the other.
import type { RegionDefinition } from '../../../../shared/regions.js';

/** km between two region ids; undefined when either has no known place. */
export type RegionDistance = (a: string, b: string) => number | undefined;

const EARTH_RADIUS_KM = 6371;

export function haversineKm(
  a: { latitude: number; longitude: number },
  b: { latitude: number; longitude: number },
): number {
  const rad = Math.PI / 180;
  const dLat = (b.latitude - a.latitude) * rad;
  const dLon = (b.longitude - a.longitude) * rad;
  const h =
    Math.sin(dLat / 2) ** 2 +
    Math.cos(a.latitude * rad) * Math.cos(b.latitude * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

export function regionDistance(regions: readonly RegionDefinition[]): RegionDistance {
  const byId = new Map(regions.map((r) => [r.id, r]));
  return (a, b) => {
    const ra = byId.get(a);
    const rb = byId.get(b);
    return ra && rb ? haversineKm(ra, rb) : undefined;
  };
}
