import type { Agent, Region } from '../../../shared/model.js';
import { regionHealth, regionStatusForHealth } from '../../../shared/regions.js';

/**
 * A region's counts, kept as agents come, go and change status, so that a connect costs O(1)
 * rather than a pass over the region (which made a flood of hellos quadratic).
 */
export class RegionTally {
  total = 0;
  online = 0;
  private readonly types = new Map<string, number>();

  add(agent: Agent): void {
    this.total++;
    if (agent.status === 'online') this.online++;
    this.types.set(agent.type, (this.types.get(agent.type) ?? 0) + 1);
  }

  remove(agent: Agent): void {
    this.total--;
    if (agent.status === 'online') this.online--;
    const n = (this.types.get(agent.type) ?? 1) - 1;
    if (n > 0) this.types.set(agent.type, n);
    else this.types.delete(agent.type);
  }

  /**
   * Write the counts, health and status into the region; returns its previous status. Under a
   * maintenance window the status is `maintenance`, whatever the health.
   */
  fill(region: Region, underMaintenance = false): Region['status'] {
    const previous = region.status;
    region.agentCount = this.total;
    region.onlineCount = this.online;
    region.serviceCount = this.types.size;
    region.healthScore = regionHealth(this.online, this.total);
    region.status = underMaintenance ? 'maintenance' : regionStatusForHealth(region.healthScore);
    return previous;
  }
}
