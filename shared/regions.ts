import type { RegionStatus } from './model.js';

export interface RegionDefinition {
  id: string;
  name: string;
  latitude: number;
  longitude: number;
}

/** The four regions every console starts with; more come from config. */
export const DEFAULT_REGIONS: readonly RegionDefinition[] = [
  { id: 'us-east-1', name: 'US East (N. Virginia)', latitude: 38.9, longitude: -77.4 },
  { id: 'us-west-2', name: 'US West (Oregon)', latitude: 45.6, longitude: -121.2 },
  { id: 'eu-west-1', name: 'EU West (Ireland)', latitude: 53.3, longitude: -6.3 },
  { id: 'ap-northeast-1', name: 'Asia Pacific (Tokyo)', latitude: 35.7, longitude: 139.7 },
];

/** Health at or above which a region is active / degraded; below degraded it has failed. */
export const REGION_ACTIVE_MIN_HEALTH = 0.8;
export const REGION_DEGRADED_MIN_HEALTH = 0.5;

/** Health = online / registered. A region with no agents has nothing failing: 1. */
export function regionHealth(online: number, registered: number): number {
  return registered === 0 ? 1 : online / registered;
}

export function regionStatusForHealth(health: number): RegionStatus {
  if (health >= REGION_ACTIVE_MIN_HEALTH) return 'active';
  if (health >= REGION_DEGRADED_MIN_HEALTH) return 'degraded';
  return 'failed';
}
