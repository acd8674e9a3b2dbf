// The audit trail's hash chain on real files: appends survive a restart and keep chaining,
// and every kind of tampering with one line is named by the verifier, with its line number.
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../../electron/core/audit/audit-log.js';
import { verifyChain } from '../../electron/core/audit/verify-chain.js';
import { readCheckpoint } from '../../electron/core/audit/audit-files.js';
import { ManualClock, systemClock } from '../../electron/core/clock.js';
import { silentLogger } from '../../electron/core/logger.js';
import { tempDir } from '../helpers/core.js';
import { lines, TAMPER, writeChain, writeLines } from './support/audit-chain.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});
async function dir(): Promise<string> {
  const d = await tempDir();
  dirs.push(d);
  return d;
}
const verify = async (d: string) =>
  verifyChain(join(d, 'audit.ndjson'), {
    clock: systemClock,
    checkpoint: await readCheckpoint(join(d, 'audit.head')),
  });

describe('audit chain', () => {
  it('chains every record to the one before, across a restart, and checkpoints the head', async () => {
    const d = await dir();
    await writeChain(d, 20);
    const clock = new ManualClock();
    const log = new AuditLog(d, { clock, ids: (p) => `${p}-x`, logger: silentLogger });
    await log.open();
    expect(log.head().seq).toBe(20);
    const e = await log.record({ by: 'carol', action: 'rule.update', target: 'cpu' });
    expect(e.seq).toBe(21);
    await log.close();
    const ls = await lines(d);
    expect(ls).toHaveLength(21);
    const last = JSON.parse(ls[20]!) as { prev: string; hash: string };
    expect(last.prev).toBe((JSON.parse(ls[19]!) as { hash: string }).hash);
    expect(await readCheckpoint(join(d, 'audit.head'))).toMatchObject({ seq: 21, hash: last.hash });
    const r = await verify(d);
    expect(r).toMatchObject({ ok: true, records: 21, firstBreak: null, head: { seq: 21 } });
  });

  it('a batch of concurrent records shares one write and keeps their order', async () => {
    const d = await dir();
    const log = new AuditLog(d, { clock: new ManualClock(), ids: (p) => p, logger: silentLogger });
    await log.open();
    let writes = 0;
    log.onWrite = () => writes++;
    const all = await Promise.all(
      Array.from({ length: 200 }, (_v, i) => log.record({ by: 'a', action: 'x', target: `${i}` })),
    );
    expect(all.map((e) => e.seq)).toEqual(Array.from({ length: 200 }, (_v, i) => i + 1));
    expect(writes).toBeLessThan(200);
    await log.close();
    expect((await verify(d)).ok).toBe(true);
  });

  const cases: [keyof typeof TAMPER, number, string, RegExp][] = [
    ['edit', 7, 'edited', /line 7 \(seq 7\)/],
    ['delete', 7, 'deleted', /seq 8: 1 record \(seq 7\) deleted/],
    ['reorder', 7, 'reordered', /seq 8; seq 7 is at line 8/],
    ['insert', 7, 'inserted', /line 8 continues from line 6/],
  ];
  for (const [how, at, kind, text] of cases) {
    it(`names the line when one is ${kind}`, async () => {
      const d = await dir();
      const ls = await writeChain(d, 30);
      await writeLines(d, TAMPER[how](ls, at));
      const r = await verify(d);
      expect(r.ok).toBe(false);
      expect(r.firstBreak).toMatchObject({ kind, line: at });
      expect(`${r.firstBreak!.expected} / ${r.firstBreak!.found}`).toMatch(text);
    });
  }

  it('an edit that re-hashes the line is named by the next line', async () => {
    const d = await dir();
    const ls = await writeChain(d, 10);
    // Rewrite line 4 with a new `by` and a hash that matches it: the self-check passes.
    const { createHash } = await import('node:crypto');
    const body = ls[3]!
      .replace(/,"hash":"[0-9a-f]{64}"\}$/, '}')
      .replace('"by":"alice"', '"by":"eve"');
    const hash = createHash('sha256').update(body).digest('hex');
    ls[3] = `${body.slice(0, -1)},"hash":"${hash}"}`;
    await writeLines(d, ls);
    expect((await verify(d)).firstBreak).toMatchObject({ kind: 'edited', line: 4 });
  });

  it('a truncated file is caught by the checkpoint', async () => {
    const d = await dir();
    const ls = await writeChain(d, 10);
    await writeLines(d, ls.slice(0, 8));
    expect((await verify(d)).firstBreak).toMatchObject({ kind: 'truncated', line: 9 });
  });

  it('a 50,000-record chain verifies, and one flipped byte in the middle is found', async () => {
    const d = await dir();
    const ls = await writeChain(d, 50_000);
    expect(await verify(d)).toMatchObject({ ok: true, records: 50_000 });
    ls[31_337] = ls[31_337]!.replace('record', 'recorD');
    await writeLines(d, ls);
    expect((await verify(d)).firstBreak).toMatchObject({ kind: 'edited', line: 31_338 });
  });

  it('a check under way stops when the log closes (shutdown does not wait for a long chain)', async () => {
    const d = await dir();
    await writeChain(d, 2_000);
    const log = new AuditLog(d, { clock: new ManualClock(), ids: (p) => p, logger: silentLogger });
    await log.open();
    const check = log.verify();
    await log.close();
    await expect(check).rejects.toThrow(/abort/i);
  });

  it('moves the old RecordLog format aside and starts a chain naming it', async () => {
    const d = await dir();
    await writeFile(join(d, 'audit.ndjson'), '1234abcd ["p","aud-1",{"id":"aud-1"}]\n');
    const log = new AuditLog(d, { clock: new ManualClock(), ids: (p) => p, logger: silentLogger });
    await log.open();
    await log.close();
    const ls = await lines(d);
    expect(JSON.parse(ls[0]!)).toMatchObject({
      seq: 1,
      action: 'audit.migrated',
      details: { legacyFile: 'audit.legacy.ndjson' },
    });
    expect((await verify(d)).ok).toBe(true);
  });
});
