// A scripted world for the incident acceptance tests: the real Fleet, AlertBook, RuleEvaluator
// and IncidentServices (silences, maintenance, incident log on real files in a temp dir),
// driven by a ManualClock. Agents come and go through the fleet as the ingest server would
// drive it (connect, heartbeat, disconnect); no sockets here (the integration tests have them).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../../electron/core/clock.js';
import { CoreEvents, type CoreEventMap } from '../../../electron/core/events.js';
import { Fleet } from '../../../electron/core/fleet/fleet.js';
import { counterIds, type IdSource } from '../../../electron/core/ids.js';
import { AlertBook } from '../../../electron/core/incidents/alert-book.js';
import { RuleEvaluator } from '../../../electron/core/incidents/evaluator.js';
import {
  DEFAULT_INCIDENT_OPTIONS,
  type IncidentOptions,
} from '../../../electron/core/incidents/incident-options.js';
import { IncidentServices } from '../../../electron/core/incidents/incident-services.js';
import { silentLogger } from '../../../electron/core/logger.js';
import type { Agent, Alert } from '../../../shared/model.js';
import { DEFAULT_REGIONS } from '../../../shared/regions.js';
import { DEFAULT_RULES } from '../../../shared/rules.js';

export const T0 = 1_700_000_000_000;

export interface WorldOptions {
  dir?: string;
  clock?: ManualClock;
  ids?: IdSource;
  /** Alerts and agents as a previous run left them (state.json and agents.ndjson). */
  restore?: { alerts: Alert[]; agents: Agent[] };
  options?: Partial<IncidentOptions>;
  operators?: string[];
}

export type World = Awaited<ReturnType<typeof world>>;

export async function world(o: WorldOptions = {}) {
  const dir = o.dir ?? (await mkdtemp(join(tmpdir(), 'meridian-incidents-')));
  const clock = o.clock ?? new ManualClock(T0);
  const events = new CoreEvents();
  events.onListenerError = (err) => {
    throw err;
  };
  const ids = o.ids ?? counterIds();
  const changes: CoreEventMap['incident.changed'][] = [];
  events.on('incident.changed', (e) => changes.push({ ...e, incident: { ...e.incident } }));
  // eslint-disable-next-line prefer-const
  let services: IncidentServices;
  const alerts = new AlertBook({
    clock,
    ids,
    events,
    maxResolved: 10_000,
    annotate: (a) => services.annotate(a),
  });
  const fleet = new Fleet(
    { clock, ids, events },
    {
      heartbeatIntervalMs: 1000,
      missedHeartbeatsBeforeOffline: 3,
      allowUnknownRegions: false,
      restartGraceMs: 0,
      maxAgents: 10_000,
    },
    DEFAULT_REGIONS,
  );
  const evaluator = new RuleEvaluator(alerts, events);
  services = new IncidentServices({
    clock,
    ids,
    events,
    logger: silentLogger,
    dataDir: dir,
    fleet,
    alerts,
    evaluator,
    rules: () => DEFAULT_RULES,
    operators: o.operators ?? [],
    options: { ...DEFAULT_INCIDENT_OPTIONS, debounceMs: 10, ...o.options },
  });
  // The core's start order: fleet, incident services, alerts, rules, reconcile.
  fleet.load([], o.restore?.agents ?? []);
  await services.open();
  alerts.load(o.restore?.alerts ?? []);
  evaluator.setRules(DEFAULT_RULES);
  evaluator.reconcileRegions(fleet.regions());
  services.started();

  const connections = new Map<string, number>();
  /** `n` agents in the region, online; returns their ids. */
  function connect(region: string, n: number, prefix = region): string[] {
    const out: string[] = [];
    for (let i = 0; i < n; i++) {
      const r = fleet.connect(
        {
          type: 'hello',
          protocol: 1,
          hostname: `${prefix}-${i}`,
          region,
          agentType: 'system',
          version: 'test',
          labels: { team: i % 2 === 0 ? 'web' : 'db' },
        },
        '10.0.0.1',
      );
      if (!r.ok) throw new Error(r.message);
      connections.set(r.agent.id, r.connectionId);
      out.push(r.agent.id);
    }
    return out;
  }
  /** The agent's connection closes (it is offline at once, as on a socket close). */
  function down(agentId: string): void {
    fleet.disconnect(agentId, connections.get(agentId)!, 'offline');
  }
  /** The agent comes back (a new hello). */
  function up(agentId: string): void {
    const a = fleet.agent(agentId)!;
    const r = fleet.connect(
      {
        type: 'hello',
        protocol: 1,
        hostname: a.hostname,
        region: a.regionId,
        agentType: a.type,
        version: 'test',
        agentId,
        labels: a.labels,
      },
      '10.0.0.1',
    );
    if (!r.ok) throw new Error(r.message);
    connections.set(agentId, r.connectionId);
  }
  const manager = services.manager;
  return {
    dir,
    clock,
    ids,
    events,
    alerts,
    fleet,
    evaluator,
    services,
    manager,
    changes,
    connect,
    down,
    up,
    /** Open alerts of a rule. */
    open: (ruleId: string) => alerts.openAlerts().filter((a) => a.ruleId === ruleId),
    /** Stop as the core does (the incident log written), keeping the files. */
    async close() {
      alerts.dispose();
      fleet.stop();
      await services.close();
    },
    /** What a restart would load: alerts (state.json) and agents (agents.ndjson), as JSON. */
    saved(): { alerts: Alert[]; agents: Agent[] } {
      return JSON.parse(JSON.stringify({ alerts: alerts.all(), agents: fleet.listAgents() })) as {
        alerts: Alert[];
        agents: Agent[];
      };
    },
    async remove() {
      await rm(dir, { recursive: true, force: true });
    },
  };
}
