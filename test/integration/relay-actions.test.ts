// Recovery actions for an agent behind a regional relay, all real: the console (REST over HTTP,
// ingest over WebSocket), a `meridian relay` process, and a `meridian agent` process behind it
// with an actions file. The agent reports a quota directory the test filled as disk_usage
// (through the relay); the runbook's clean_tmp goes down the relay link, the agent runs the
// real script, its result comes back through the relay's durable queue, and the run succeeds.
// An agent gone from the relay fails the run at once, saying it is not connected.
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentActionsView } from '../../shared/agent-actions.js';
import type { Agent } from '../../shared/model.js';
import type { ActionRecord, RecoveryRoutes, RunbookInput } from '../../shared/recovery.js';
import { spawnAgent, spoolRunbook, writeSpoolFixture } from '../helpers/agent-process.js';
import { AGENT_TOKEN, WAIT_MS, startTestCore, tempDir, waitFor } from '../helpers/core.js';
import { spawnRelay } from '../helpers/relay.js';

const RELAY_AGENT_TOKEN = 'relay-agents-secret';

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

const json = (method: string, body?: unknown) => ({ method, body: JSON.stringify(body) });
type RunsResponse = RecoveryRoutes['GET /api/v1/recovery/runs']['response'];

/** The quota directory at 95 % (all its files old), the console, a relay, the agent behind it. */
async function scenario(mode: RunbookInput['mode']) {
  const dir = await tempDir();
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  const { paths, actionsFile } = await writeSpoolFixture(dir, 19);

  const c = await startTestCore({ recoveryGraceMs: 0, notifyGroupWaitMs: 0 });
  cleanup.push(() => c.stop());
  const runbook = spoolRunbook(paths.allowedDir, { mode });
  expect((await c.api('/api/v1/runbooks?by=alice', json('POST', runbook))).status).toBe(200);

  const relay = await spawnRelay({
    upstream: c.addr.ingestUrl,
    token: AGENT_TOKEN,
    region: 'eu-west-1',
    name: 'relay-eu',
    stateDir: join(dir, 'relay'),
    agentToken: RELAY_AGENT_TOKEN,
  });
  cleanup.push(() => relay.stop());
  const agent = spawnAgent([
    ...['--url', relay.ingestUrl, '--token', RELAY_AGENT_TOKEN, '--region', 'eu-west-1'],
    ...['--hostname', 'spool-host', '--state-dir', join(dir, 'state'), '--actions', actionsFile],
    ...['--disk-quota', `${paths.allowedDir}=1000000`],
    ...['--interval', '3600000', '--network-interval', '3600000'],
    ...['--filesystems-interval', '250'],
  ]);
  cleanup.push(() => agent.stop());
  const withLogs = (err: Error): never => {
    throw new Error(`${err.message}\nagent: ${agent.err()}\nrelay: ${relay.out()}`);
  };
  const runs = async () => (await c.api<RunsResponse>('/api/v1/recovery/runs')).body.runs;
  const agentRow = await waitFor(
    async () =>
      (await c.api<{ agents: Agent[] }>('/api/v1/agents')).body.agents.find(
        (a) => a.hostname === 'spool-host' && a.status === 'online',
      ),
    WAIT_MS,
    'the relayed agent online at the console',
  ).catch(withLogs);
  return { c, paths, relay, agent, agentRow, runs, withLogs };
}

describe('recovery actions through a regional relay', () => {
  it('clean_tmp goes down the relay link to the agent behind it; its result comes back through the relay queue; the run succeeds with the output', async () => {
    const { c, paths, agentRow, runs, withLogs } = await scenario('automatic');
    expect(agentRow.labels.relay).toBe('relay-eu');
    // The API says how actions reach it: through that relay, with the actions its hello offered.
    const reach = await c.api<AgentActionsView>(`/api/v1/agents/${agentRow.id}/actions`);
    expect(reach.body.offered).toContain('clean_tmp');
    expect(reach.body).toMatchObject({
      route: 'relay',
      relay: { name: 'relay-eu' },
      reason: null,
    });
    expect(reach.body.relay!.id).toMatch(/^rly-/);
    const done = await waitFor(
      async () => (await runs()).find((r) => r.state === 'succeeded' || r.state === 'failed'),
      WAIT_MS * 2,
      'the run to conclude',
    ).catch(withLogs);
    expect(done.state, JSON.stringify(done)).toBe('succeeded');
    expect(done.agentId).toBe(agentRow.id);
    expect(await readdir(paths.allowedDir)).toEqual(['fresh.log']);
    const actions = (
      await c.api<{ actions: ActionRecord[] }>(`/api/v1/actions?incident=${done.incidentId}`)
    ).body.actions;
    expect(actions).toHaveLength(1);
    expect(actions[0]).toMatchObject({ action: 'clean_tmp', status: 'succeeded', exitCode: 0 });
    expect(actions[0]!.output).toContain('855000 bytes freed');
    // Counted as sent down the relay link.
    expect(await c.metric('meridian_relay_actions_total', { outcome: 'sent' })).toBe(1);
  });

  it('an agent no longer connected to the relay: the approved run ends at once saying it is not connected (no wait for the action deadline)', async () => {
    const { c, agent, runs, withLogs } = await scenario('approval');
    const held = await waitFor(
      async () => (await runs()).find((r) => r.state === 'awaiting_approval'),
      WAIT_MS,
      'a run awaiting approval',
    ).catch(withLogs);
    await agent.stop();
    const approved = await c.api(
      `/api/v1/incidents/${held.incidentId}/approve`,
      json('POST', { by: 'alice', runId: held.id }),
    );
    expect(approved.status).toBe(200);
    // Either the relay refuses the action (it has no connection to the agent) or the console
    // already knows the agent is offline: both say so now, neither waits out the 60 s deadline.
    const ended = await waitFor(
      async () => (await runs()).find((r) => r.id === held.id && r.endedAt !== null),
      WAIT_MS,
      'the run to end',
    );
    expect(['failed', 'refused']).toContain(ended.state);
    expect(JSON.stringify(ended)).toMatch(/not connected/);
    // And the API says why no action can reach it now, once the relay has reported it gone.
    await waitFor(
      async () =>
        (await c.api<AgentActionsView>(`/api/v1/agents/${held.agentId}/actions`)).body.reason ===
        'behind relay relay-eu, which reports it offline',
      WAIT_MS,
      'the actions endpoint to name the relay that reports the agent offline',
    );
  });
});
