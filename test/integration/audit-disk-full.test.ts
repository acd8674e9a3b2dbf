// The audit trail on a full disk (a real tmpfs, real ENOSPC): the record that cannot be written
// is reported failed to its caller, nothing half-written stays in the file, and once there is
// space again it goes in with the records after it, so the chain still verifies whole.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog } from '../../electron/core/audit/audit-log.js';
import { verifyChain } from '../../electron/core/audit/verify-chain.js';
import { systemClock } from '../../electron/core/clock.js';
import { silentLogger } from '../../electron/core/logger.js';
import { mountTmpfs, type Tmpfs } from '../helpers/tmpfs.js';
import { lines } from '../unit/support/audit-chain.js';

const fs = await mountTmpfs(2 * 1024 * 1024);
const skip = 'skip' in fs ? fs.skip : null;
if (skip) process.stdout.write(`SKIPPED: audit disk-full test: ${skip}\n`);

describe.skipIf(skip !== null)('audit trail on a full disk (a real tmpfs)', () => {
  const disk = fs as Tmpfs;
  let log: AuditLog;
  beforeAll(async () => {
    let n = 0;
    log = new AuditLog(disk.dir, {
      clock: systemClock,
      ids: (p) => `${p}-${++n}`,
      logger: silentLogger,
    });
    await log.open();
  });
  afterAll(async () => {
    await disk?.release().catch(() => {});
    await disk?.unmount();
  });

  it('fails the caller, keeps the record, and writes it once there is space', async () => {
    for (let i = 0; i < 10; i++)
      await log.record({ by: 'alice', action: 'alert.ack', target: `a${i}` });
    await disk.fill();
    // The file's last page may still have room: append until a write needs a page there is not.
    let failed: Error | null = null;
    let written = 10;
    for (let i = 0; i < 200 && !failed; i++) {
      await log.record({ by: 'bob', action: 'alert.ack', target: `full-${i}` }).then(
        () => written++,
        (err: Error) => (failed = err),
      );
    }
    expect(String(failed)).toMatch(/ENOSPC|no space/i);
    // Nothing torn in the file meanwhile: every line there is whole and the chain holds.
    expect((await verifyChain(log.path, { clock: systemClock })).ok).toBe(true);
    await disk.release();
    // Retried in the background; a record after it waits its turn and then is durable too.
    const after = await log.record({ by: 'carol', action: 'alert.ack', target: 'after' });
    expect(after.seq).toBe(written + 2);
    await log.close();
    const targets = (await lines(disk.dir)).map(
      (l) => (JSON.parse(l) as { target: string }).target,
    );
    expect(targets.slice(-2)).toEqual([`full-${written - 10}`, 'after']);
    const r = await verifyChain(join(disk.dir, 'audit.ndjson'), { clock: systemClock });
    expect(r).toMatchObject({ ok: true, records: written + 2 });
  });
});
