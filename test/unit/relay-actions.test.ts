// Recovery actions through relays, the parts without a network: the new relay-link frames'
// validation (both ends), the console's routing of an action (direct connection or relay), and
// what the console does with a relay's refusal.
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { ActionMessage, ActionResultMessage } from '../../shared/protocol.js';
import type { ConsoleToRelayMessage } from '../../shared/relay-protocol.js';
import {
  offeredThroughRelay,
  relayBlock,
  sendThroughRelay,
  takeRefusal,
  type RelayRoute,
} from '../../electron/core/relay/central/relay-actions.js';
import { createRelayMetrics } from '../../electron/core/relay/central/relay-metrics.js';
import { parseConsoleToRelay, parseRelayText } from '../../electron/core/relay/relay-frames.js';
import {
  routedAgentLink,
  type AgentRoute,
  type RelayedRoute,
} from '../../electron/core/recovery/routed-link.js';

const action: ActionMessage = {
  type: 'action',
  id: 'act-1',
  action: 'clean_tmp',
  params: { dir: '/tmp' },
  dryRun: false,
  deadline: 1_700_000_000_000,
};
const refusal = {
  type: 'relay_action_refused',
  agentId: 'agt-1',
  id: 'act-1',
  action: 'clean_tmp',
  code: 'agent_not_connected',
  message: 'agent not connected to relay r1',
};

describe('relay action frames', () => {
  it('takes a well-formed relay_action and relay_action_refused', () => {
    const parsed = parseConsoleToRelay(
      JSON.stringify({ type: 'relay_action', agentId: 'agt-1', action }),
    );
    expect(parsed).toEqual({
      ok: true,
      message: { type: 'relay_action', agentId: 'agt-1', action },
    });
    expect(parseRelayText(JSON.stringify(refusal)).ok).toBe(true);
  });

  it('refuses a malformed one, naming the field', () => {
    const noDeadline = { ...action } as Partial<ActionMessage>;
    delete noDeadline.deadline;
    const bad = parseConsoleToRelay(
      JSON.stringify({ type: 'relay_action', agentId: 'agt-1', action: noDeadline }),
    );
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.detail).toMatch(/\/action/);
    const badId = parseConsoleToRelay(
      JSON.stringify({ type: 'relay_action', agentId: '../x', action }),
    );
    expect(!badId.ok && badId.detail).toMatch(/\/agentId/);
    const extra = parseConsoleToRelay(
      JSON.stringify({ type: 'relay_action', agentId: 'agt-1', action, shell: 'rm -rf /' }),
    );
    expect(extra.ok).toBe(false);
    const code = parseRelayText(JSON.stringify({ ...refusal, code: 'whatever' }));
    expect(!code.ok && code.detail).toMatch(/\/code/);
  });

  it("takes a relay_hello's optional actions flag, only as a boolean", () => {
    const hello = {
      type: 'relay_hello',
      protocol: 1,
      name: 'r1',
      region: 'eu-west-1',
      version: '1',
      bootId: 'b1',
      startedAt: 1,
    };
    expect(parseRelayText(JSON.stringify(hello)).ok).toBe(true);
    expect(parseRelayText(JSON.stringify({ ...hello, actions: true })).ok).toBe(true);
    const bad = parseRelayText(JSON.stringify({ ...hello, actions: 'yes' }));
    expect(!bad.ok && bad.detail).toMatch(/\/actions/);
  });
});

/** A route that records what it was asked to send. */
function route(offers: Record<string, readonly string[]>): AgentRoute & { sent: string[] } {
  const sent: string[] = [];
  return {
    sent,
    sendAction: (id) => (offers[id] ? (sent.push(id), true) : false),
    offeredActions: (id) => offers[id] ?? null,
  };
}

/** The relay hub's side: agt-r and agt-both behind rly-1 (reachable), agt-cut behind it too (not). */
function relayedRoute(
  offers: Record<string, readonly string[]>,
): RelayedRoute & { sent: string[] } {
  const relay = { id: 'rly-1', name: 'relay-eu' };
  return {
    ...route(offers),
    behind: (id) =>
      offers[id]
        ? { relay, blocked: null }
        : id === 'agt-cut'
          ? { relay, blocked: 'behind relay relay-eu, whose link to the console is down' }
          : null,
  };
}

describe('the AgentLink the recovery service sees', () => {
  it('takes the direct connection when the agent has one, else its relay, else none', () => {
    const direct = route({ 'agt-d': ['restart'], 'agt-both': ['restart'] });
    const relayed = relayedRoute({ 'agt-r': ['clean_tmp'], 'agt-both': ['clean_tmp'] });
    const link = routedAgentLink(
      () => direct,
      () => relayed,
    );
    expect(link.offered('agt-d')).toEqual(['restart']);
    expect(link.offered('agt-r')).toEqual(['clean_tmp']);
    expect(link.offered('agt-both')).toEqual(['restart']);
    expect(link.offered('agt-none')).toBeNull();
    expect(link.send('agt-r', action)).toBe(true);
    expect(link.send('agt-both', action)).toBe(true);
    expect(link.send('agt-none', action)).toBe(false);
    expect(direct.sent).toEqual(['agt-both']);
    expect(relayed.sent).toEqual(['agt-r']);
  });

  it('says which route it takes, and why none when none can reach the agent', () => {
    const direct = route({ 'agt-d': ['restart'], 'agt-both': ['restart'] });
    const link = routedAgentLink(
      () => direct,
      () => relayedRoute({ 'agt-r': ['clean_tmp'], 'agt-both': ['clean_tmp'] }),
    );
    const relay = { id: 'rly-1', name: 'relay-eu' };
    expect(link.reach('agt-d')).toEqual({
      offered: ['restart'],
      route: 'direct',
      relay: null,
      reason: null,
    });
    expect(link.reach('agt-both')).toMatchObject({ offered: ['restart'], route: 'direct' });
    expect(link.reach('agt-r')).toEqual({
      offered: ['clean_tmp'],
      route: 'relay',
      relay,
      reason: null,
    });
    expect(link.reach('agt-cut')).toEqual({
      offered: null,
      route: null,
      relay,
      reason: 'behind relay relay-eu, whose link to the console is down',
    });
    expect(link.reach('agt-none')).toMatchObject({ offered: null, route: null, relay: null });
    expect(link.reach('agt-none').reason).toMatch(/not connected.*behind no relay/);
  });

  it('is "not connected" before the ingest server and relay hub exist', () => {
    const link = routedAgentLink(
      () => null,
      () => null,
    );
    expect(link.offered('agt-1')).toBeNull();
    expect(link.send('agt-1', action)).toBe(false);
    expect(link.reach('agt-1')).toMatchObject({ offered: null, route: null, relay: null });
  });
});

describe('routing through a relay', () => {
  const session = (over: Partial<{ actions: boolean; isClosing: boolean }> = {}) => {
    const sent: ConsoleToRelayMessage[] = [];
    return {
      actions: true,
      isClosing: false,
      send: (m: ConsoleToRelayMessage) => sent.push(m),
      sent,
      ...over,
    };
  };
  const agent = (online: boolean) => ({
    online,
    hello: '',
    connectionId: 1,
    actions: ['clean_tmp'],
  });

  it('offers and sends only while the link is up, the relay routes actions, and holds the agent online', () => {
    const metrics = createRelayMetrics(new Registry());
    const up = session();
    const ok: RelayRoute = { session: up, agent: agent(true) };
    expect(offeredThroughRelay(ok)).toEqual(['clean_tmp']);
    expect(sendThroughRelay(ok, 'agt-1', action, metrics)).toBe(true);
    expect(up.sent).toEqual([{ type: 'relay_action', agentId: 'agt-1', action }]);
    const cases: RelayRoute[] = [
      { session: undefined, agent: agent(true) },
      { session: session({ actions: false }), agent: agent(true) },
      { session: session({ isClosing: true }), agent: agent(true) },
      { session: session(), agent: agent(false) },
      { session: session(), agent: undefined },
    ];
    expect(relayBlock(ok)).toBeNull();
    expect(cases.map(relayBlock)).toEqual([
      'link_down',
      'no_action_routing',
      'link_down',
      'agent_offline',
      'agent_offline',
    ]);
    for (const r of cases) {
      expect(offeredThroughRelay(r)).toBeNull();
      expect(sendThroughRelay(r, 'agt-1', action, metrics)).toBe(false);
      expect((r.session as ReturnType<typeof session> | undefined)?.sent ?? []).toEqual([]);
    }
  });

  it("takes a relay's refusal as a refused result of its own agent; another relay's is counted and ignored", async () => {
    const registry = new Registry();
    const metrics = createRelayMetrics(registry);
    const results: [string, ActionResultMessage][] = [];
    const handler = {
      actionResult: (id: string, m: ActionResultMessage) => (
        results.push([id, m]),
        Promise.resolve()
      ),
    };
    const ownerOf = new Map([['agt-1', 'rly-a']]);
    takeRefusal('rly-b', refusal as never, { ownerOf, handler, metrics });
    expect(results).toEqual([]);
    takeRefusal('rly-a', refusal as never, { ownerOf, handler, metrics });
    expect(results).toEqual([
      [
        'agt-1',
        expect.objectContaining({
          type: 'action_result',
          id: 'act-1',
          status: 'refused',
          reason: 'agent not connected to relay r1',
        }),
      ],
    ]);
    const text = await registry.metrics();
    expect(text).toMatch(/meridian_relay_actions_total\{outcome="refusal_ignored"\} 1/);
    expect(text).toMatch(/meridian_relay_actions_total\{outcome="agent_not_connected"\} 1/);
  });
});
