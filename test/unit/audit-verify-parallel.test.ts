// `meridian audit verify`'s parallel check (ranges of the file hashed in worker threads, the
// joints checked after) must say exactly what the sequential check says: for an intact chain,
// for each kind of tampering wherever it falls (inside a range or on a joint), for a torn last
// line, blank lines, a chain with recorded breaks, a checkpoint ahead of the file or
// disagreeing with it, and a check that stops at a byte offset inside a line.
import { createHash } from 'node:crypto';
import { appendFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditVerifyResult } from '../../shared/audit.js';
import { encodeRecord } from '../../electron/core/audit/chain-format.js';
import { verifyChain } from '../../electron/core/audit/verify-chain.js';
import { verifyChainParallel } from '../../electron/core/audit/verify-parallel.js';
import { systemClock } from '../../electron/core/clock.js';
import { tempDir } from '../helpers/core.js';
import { TAMPER, writeChain, writeLines } from './support/audit-chain.js';

// The compiled worker, as `meridian audit verify` runs it (npm test builds dist/ first).
const WORKER = new URL('../../dist/electron/core/audit/verify-worker.js', import.meta.url);
let d: string;
let chain: string[];
const N = 600;
beforeAll(async () => {
  d = await tempDir();
  chain = await writeChain(d, N);
});
afterAll(() => rm(d, { recursive: true, force: true }));

const file = () => join(d, 'audit.ndjson');
const same = (r: AuditVerifyResult) => ({ ...r, checkedAt: 0, durationMs: 0 });

async function both(
  checkpoint: { seq: number; hash: string } | null,
  endByte?: number,
): Promise<AuditVerifyResult> {
  const opts = { clock: systemClock, checkpoint, ...(endByte !== undefined ? { endByte } : {}) };
  const seq = await verifyChain(file(), opts);
  // Small ranges (about 2 KiB: a few lines each) so breaks fall inside and on joints.
  for (const workers of [2, 5]) {
    const par = await verifyChainParallel(file(), {
      ...opts,
      workers,
      minParallelBytes: 0,
      workerUrl: WORKER,
    });
    expect(same(par)).toEqual(same(seq));
  }
  return seq;
}

const hashOf = (line: string) => /"hash":"([0-9a-f]{64})"/.exec(line)![1]!;
const head = (ls: string[]) => ({ seq: ls.length, hash: hashOf(ls[ls.length - 1]!) });

describe('audit verify in parallel', () => {
  it('an intact chain: the same records, head and checkpoint result', async () => {
    await writeLines(d, chain);
    expect(await both(head(chain))).toMatchObject({ ok: true, records: N });
    expect(await both(null)).toMatchObject({ ok: true, records: N });
  });

  it('each kind of tampering, at many places, is named the same', async () => {
    for (const how of Object.keys(TAMPER) as (keyof typeof TAMPER)[]) {
      for (const at of [1, 58, 59, 301, N - 1]) {
        await writeLines(d, TAMPER[how](chain, at));
        const r = await both(head(chain));
        expect(r.ok, `${how} at ${at}`).toBe(false);
      }
    }
  });

  it("a line changed and re-hashed (its own hash holds, the next line's prev does not)", async () => {
    for (const at of [1, 58, 59, 301, N - 1]) {
      const ls = [...chain];
      const body = ls[at - 1]!.replace(/,"hash":"[0-9a-f]{64}"\}$/, '}').replace(
        '"by":"',
        '"by":"eve-',
      );
      const hash = createHash('sha256').update(body).digest('hex');
      ls[at - 1] = `${body.slice(0, -1)},"hash":"${hash}"}`;
      await writeLines(d, ls);
      expect((await both(head(chain))).firstBreak, `at ${at}`).toMatchObject({ kind: 'edited' });
    }
  });

  it('a torn last line, blank lines, and a check ending inside a line', async () => {
    await writeLines(d, chain);
    await appendFile(file(), chain[0]!.slice(0, 40)); // no newline: never reported done
    expect(await both(head(chain))).toMatchObject({ ok: true, records: N });
    await writeFile(file(), chain.map((l, i) => (i % 97 === 0 ? `${l}\n\n` : `${l}\n`)).join(''));
    expect(await both(head(chain))).toMatchObject({ ok: true, records: N });
    const bytes = Buffer.byteLength(chain.slice(0, 400).join('\n')) + 1;
    await writeLines(d, chain);
    expect(await both(null, bytes + 25)).toMatchObject({ ok: true, records: 400 });
  });

  it('a checkpoint ahead of the file (truncated) or disagreeing with it (rewritten)', async () => {
    await writeLines(d, chain.slice(0, 500));
    expect((await both(head(chain))).firstBreak).toMatchObject({ kind: 'truncated' });
    await writeLines(d, chain);
    const other = { seq: 300, hash: hashOf(chain[298]!) };
    expect((await both(other)).firstBreak).toMatchObject({ kind: 'edited', line: 300 });
  });

  it('recorded breaks (audit.segment records) in an intact chain are counted the same', async () => {
    const ls: string[] = [];
    let prev = '0'.repeat(64);
    for (let seq = 1; seq <= 300; seq++) {
      const { line, hash } = encodeRecord({
        seq,
        prev,
        id: `aud-${seq}`,
        at: seq,
        by: 'console',
        action: seq % 100 === 0 ? 'audit.segment' : 'alert.ack',
        target: `t-${seq}`,
      });
      ls.push(line);
      prev = hash;
    }
    await writeLines(d, ls);
    expect(await both(head(ls))).toMatchObject({ ok: false, recordedBreaks: 3, firstBreak: null });
  });
});
