// The core's persistence around state.json: what it holds (region definitions, rules, alerts,
// events), restoring it with the agent registry at start, the alert when it was unusable, and
// the bus listeners that mark it dirty and keep the alert gauges. Kept out of core.ts so the
// core stays about lifecycle.
import { SEVERITIES, type StoredEvent } from '../../shared/model.js';
import { CONSOLE_RULES } from './console-alerts.js';
import type { MonitoringCore } from './core.js';
import type { Recovery } from './state/durable-file.js';
import { STATE_VERSION, type PersistedState } from './state/schema.js';

/** What state.json holds; notes the regions written (a region a hello created must be). */
export function stateSnapshot(core: MonitoringCore, persistedRegions: Set<string>): PersistedState {
  const regions = core.fleet.regionDefinitions();
  for (const r of regions) persistedRegions.add(r.id);
  // No agents: they live in agents.ndjson (a whole-file rewrite per agent did not scale).
  return {
    version: STATE_VERSION,
    regions,
    rules: [...core.rules],
    alerts: core.alerts.all(),
    // Events are the event log's (electron/core/events/); old files' events were moved there.
    events: [],
  };
}

/**
 * Load state.json and the registry: `migrated` when state.json still held agents, and the
 * events an old state.json held (for the event log to take over once).
 */
export async function restoreCore(
  core: MonitoringCore,
): Promise<{ migrated: boolean; legacyEvents: StoredEvent[] }> {
  const loaded = await core.state.load();
  const legacyAgents = loaded.state?.agents ?? [];
  const agents = await core.registry.open(legacyAgents);
  core.fleet.load(loaded.state?.regions ?? [], agents);
  await core.incidents.open();
  if (loaded.state) {
    core.alerts.load(loaded.state.alerts);
    if (loaded.state.rules.length > 0) core.ruleBook.load(loaded.state.rules);
  }
  core.applyRules(core.rules);
  core.evaluator.reconcileRegions(core.fleet.regions());
  core.incidents.started();
  core.registry.restored();
  for (const [collection, n] of Object.entries(loaded.dropped)) {
    core.logger.warn('state.json records failed validation and were dropped', {
      collection,
      dropped: n,
    });
  }
  if (loaded.recovery) raiseRecoveryAlert(core, loaded.recovery);
  return { migrated: legacyAgents.length > 0, legacyEvents: loaded.state?.events ?? [] };
}

function raiseRecoveryAlert(core: MonitoringCore, r: Recovery): void {
  const what =
    r.loaded === 'backup'
      ? 'loaded the last good copy (state.json.bak)'
      : 'no good copy existed; started empty';
  core.logger.error('state.json was unusable', {
    problem: r.problem,
    preservedAs: r.preservedAs,
  });
  core.consoleAlerts.raise(
    CONSOLE_RULES.stateRecovered,
    'state.json',
    r.loaded === 'backup' ? 'warning' : 'critical',
    `state.json was unusable (${r.problem}); ${what}. The bad file is kept as ${r.preservedAs}.`,
  );
}

/** Counters, gauges and persistence follow the bus; nothing else calls them. */
export function wireBookkeeping(core: MonitoringCore, persistedRegions: Set<string>): void {
  const { events, metrics } = core;
  // Agents are the registry keeper's (agents.ndjson); state.json holds region definitions,
  // so a region a hello created is written at once.
  events.on('agent.changed', ({ agent, previousStatus }) => {
    if (previousStatus === null && !persistedRegions.has(agent.regionId))
      core.state.markDirty(true);
  });
  events.on('alert.revised', () => core.state.markDirty());
  // Counts kept by the alert book: a pass over every open alert per change was quadratic
  // when thousands of agents went offline at once.
  events.on('alert.changed', ({ alert }) => {
    core.state.markDirty();
    for (const severity of SEVERITIES)
      metrics.alertsActive.set({ severity }, core.alerts.openCount(severity));
    const agentId = alert.subject.agentId;
    if (agentId) core.fleet.setAlertsCount(agentId, core.alerts.openCountFor(agentId));
  });
}
