// GET /api/v1/regions/:id/history through the real API, with real agents over WebSockets: the
// core records a region's agents online as they come and go; bad input gets a JSON 4xx.
import { afterEach, describe, expect, it } from 'vitest';
import type { ApiError, RegionHistory } from '../../shared/api.js';
import {
  connectAgent,
  startTestCore,
  waitFor,
  type TestAgent,
  type TestCore,
} from '../helpers/core.js';

let t: TestCore | null = null;
const sockets: TestAgent[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.ws.terminate();
  await t?.stop();
  t = null;
});

/** [online, registered] of the newest step that has a value. */
function latest(h: RegionHistory): [number | null, number | null] | null {
  const p = h.points.findLast((x) => x[1] !== null);
  return p ? [p[1], p[2]] : null;
}

describe('GET /api/v1/regions/:id/history', () => {
  it('follows the agents online in the region as they connect and drop', async () => {
    t = await startTestCore({ heartbeatIntervalMs: 600_000 });
    for (let i = 0; i < 3; i++) {
      sockets.push(
        await connectAgent(t.addr.ingestUrl, { hostname: `eu-${i}`, region: 'eu-west-1' }),
      );
    }
    const history = async (query = '') => {
      const res = await t!.api<RegionHistory>(`/api/v1/regions/eu-west-1/history${query}`);
      expect(res.status).toBe(200);
      return res.body;
    };
    // A step holds the fewest agents online during it: the newest step shows a rise once the
    // next one begins (steps are 15 s), a drop at once. Deadlines allow for a step and more.
    const STEP_WAIT_MS = 40_000;
    await waitFor(async () => latest(await history())?.[1] === 3, undefined, '3 registered');
    await sockets[0]!.close();
    const h = await waitFor(
      async () => {
        const body = await history();
        return latest(body)?.join() === '2,3' && body;
      },
      STEP_WAIT_MS,
      '2 of 3 online',
    );
    expect(h).toMatchObject({ regionId: 'eu-west-1', range: '1h', step: 15_000 });
    expect(h.to - h.from).toBeGreaterThanOrEqual(3_600_000);
    // Before the core started, nothing was recorded.
    expect(h.points[0]).toEqual([h.from, null, null]);

    const week = await history('?range=7d');
    expect(week.range).toBe('7d');
    expect(week.step % 60_000).toBe(0);
    const [, registered] = latest(week)!;
    expect(registered).toBe(3);

    // A region that never had an agent has no history (its health is 1 by definition).
    const us = (await t.api<RegionHistory>('/api/v1/regions/us-east-1/history')).body;
    expect(latest(us)).toBeNull();
  });

  it('keeps the console series out of the metric list', async () => {
    t = await startTestCore({ heartbeatIntervalMs: 600_000 });
    sockets.push(await connectAgent(t.addr.ingestUrl, { hostname: 'h', region: 'eu-west-1' }));
    await waitFor(() => t!.core.store.seriesCount('_console') > 0, undefined, 'recorded');
    const names = (await t.api<{ metrics: string[] }>('/api/v1/metric-names')).body.metrics;
    expect(names.filter((n) => n.startsWith('meridian_region_'))).toEqual([]);
  });

  it('answers an unknown region or a bad range with a JSON 4xx naming the field', async () => {
    t = await startTestCore({ heartbeatIntervalMs: 600_000 });
    const missing = await t.api<ApiError>('/api/v1/regions/mars-1/history');
    expect(missing.status).toBe(404);
    expect(missing.body.error).toMatchObject({ code: 'not_found', message: 'no region mars-1' });

    const badRange = await t.api<ApiError>('/api/v1/regions/eu-west-1/history?range=2h');
    expect(badRange.status).toBe(400);
    expect(badRange.body.error).toMatchObject({ code: 'invalid_query', field: 'range' });

    const unknown = await t.api<ApiError>('/api/v1/regions/eu-west-1/history?from=0');
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.code).toBe('invalid_query');

    const post = await t.api<ApiError>('/api/v1/regions/eu-west-1/history', { method: 'POST' });
    expect(post.status).toBe(405);
    expect(
      await t.metric('meridian_api_requests_rejected_total', { reason: 'invalid_query' }),
    ).toBe(2);
    expect(await t.metric('meridian_api_requests_rejected_total', { reason: 'not_found' })).toBe(1);
  });
});
