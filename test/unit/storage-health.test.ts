// What the metric store reports becomes console alerts: flushes failing in a row, the storage
// budget (approaching, and data deleted), damaged blocks. Through a real alert book.
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../electron/core/config.js';
import { ConsoleAlerts } from '../../electron/core/console-alerts.js';
import { silentLogger } from '../../electron/core/logger.js';
import { storeObserver } from '../../electron/core/storage-health.js';
import type { BlockInfo } from '../../electron/core/store/compactor.js';
import { setup, T0 } from './support/alert-book-fixture.js';

function observer() {
  const { book, clock } = setup();
  const obs = storeObserver({
    clock,
    logger: silentLogger,
    alerts: new ConsoleAlerts(book),
    config: defaultConfig({ dataDir: '/tmp/x' }),
  });
  const open = (ruleId: string) => book.openAlerts().find((a) => a.ruleId === ruleId);
  return { obs, open };
}

const MB = 1024 * 1024;
const block = (over: Partial<BlockInfo> = {}): BlockInfo => ({
  name: 'raw-1-2-3.blk',
  tier: 'raw',
  start: T0,
  end: T0 + 3_600_000,
  seq: 3,
  minTs: T0,
  maxTs: T0 + 3_599_000,
  bytes: MB,
  rows: 3_600,
  ...over,
});

describe('storage health alerts', () => {
  it('raises storage_flush_failing on the second failure in a row and clears it on a good flush', () => {
    const { obs, open } = observer();
    obs.flushFailed(new Error('ENOSPC'));
    expect(open('storage_flush_failing')).toBeUndefined();
    obs.flushFailed(new Error('ENOSPC'));
    expect(open('storage_flush_failing')).toMatchObject({ severity: 'critical' });
    expect(open('storage_flush_failing')!.message).toMatch(/2 in a row: ENOSPC/);
    obs.flushed();
    expect(open('storage_flush_failing')).toBeUndefined();
  });

  it('warns at 90 % of the budget, says when data was deleted, clears below 80 %', () => {
    const { obs, open } = observer();
    obs.usage(85 * MB, 100 * MB, []);
    expect(open('storage_budget')).toBeUndefined();
    obs.usage(91 * MB, 100 * MB, []);
    expect(open('storage_budget')!.message).toMatch(/91 %/);
    obs.usage(99 * MB, 100 * MB, [block()]);
    expect(open('storage_budget')!.message).toMatch(/oldest data .* was deleted/);
    obs.usage(85 * MB, 100 * MB, []); // within the margin: still open
    expect(open('storage_budget')).toBeDefined();
    obs.usage(70 * MB, 100 * MB, []);
    expect(open('storage_budget')).toBeUndefined();
  });

  it('raises metric_block_damaged per damaged file', () => {
    const { obs, open } = observer();
    obs.damaged([{ name: 'raw-1-2-3.blk', problem: 'raw-1-2-3.blk: no footer (torn)' }]);
    expect(open('metric_block_damaged')).toMatchObject({ severity: 'critical' });
    expect(open('metric_block_damaged')!.message).toMatch(/torn/);
  });
});
