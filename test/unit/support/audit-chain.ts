// Writing a real audit chain in a temp dir and tampering with it line by line, as someone with
// write access to the data dir would: for the verifier's unit tests and the CLI/API tests.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AuditLog } from '../../../electron/core/audit/audit-log.js';
import { ManualClock } from '../../../electron/core/clock.js';
import { silentLogger } from '../../../electron/core/logger.js';

/** A closed chain of `n` records in `dir` (audit.ndjson + audit.head); returns its lines. */
export async function writeChain(dir: string, n: number): Promise<string[]> {
  const clock = new ManualClock();
  let id = 0;
  const log = new AuditLog(dir, { clock, ids: (p) => `${p}-${++id}`, logger: silentLogger });
  await log.open();
  const pending: Promise<unknown>[] = [];
  for (let i = 0; i < n; i++) {
    clock.advance(1_000);
    pending.push(
      log.record({
        by: i % 3 === 0 ? 'alice' : 'bob',
        action: i % 2 === 0 ? 'alert.ack' : 'incident.comment',
        target: `target-${i % 7}`,
        before: { state: 'firing' },
        after: { state: 'acknowledged', note: `record ${i} ünïcødé` },
      }),
    );
  }
  await Promise.all(pending);
  await log.close();
  return lines(dir);
}

export async function lines(dir: string): Promise<string[]> {
  return (await readFile(join(dir, 'audit.ndjson'), 'utf8')).split('\n').filter(Boolean);
}

export async function writeLines(dir: string, ls: string[]): Promise<void> {
  await writeFile(join(dir, 'audit.ndjson'), ls.map((l) => `${l}\n`).join(''));
}

/** The tampering a test names: each changes one line (1-based `at`) and says what verify must say. */
export const TAMPER = {
  edit: (ls: string[], at: number) =>
    ls.map((l, i) =>
      i === at - 1
        ? l.replace('"by":"bob"', '"by":"eve"').replace('"by":"alice"', '"by":"eve"')
        : l,
    ),
  delete: (ls: string[], at: number) => ls.filter((_l, i) => i !== at - 1),
  reorder: (ls: string[], at: number) => {
    const out = [...ls];
    [out[at - 1], out[at]] = [out[at]!, out[at - 1]!];
    return out;
  },
  insert: (ls: string[], at: number) => [
    ...ls.slice(0, at - 1),
    ls[at - 1]!.replace('"by":', '"by":"x","was":'),
    ...ls.slice(at - 1),
  ],
} as const;
