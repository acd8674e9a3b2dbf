// The action journal's file: durable whole-file writes, an unreadable file set aside (never a
// crash), and a bound on the results a console that never acks can pile up.
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ActionJournal,
  FileJournalStore,
  JOURNAL_FILE,
  MAX_JOURNAL_RESULTS,
} from '../../agent/actions/journal.js';
import type { ActionResultMessage } from '../../shared/protocol.js';
import { tempDir } from '../helpers/core.js';

const result = (id: string): ActionResultMessage => ({
  type: 'action_result',
  id,
  action: 'a',
  status: 'succeeded',
  exitCode: 0,
  durationMs: 1,
  output: '',
  outputTruncated: false,
});

describe('action journal', () => {
  it('what it holds survives a new process (a new journal on the same file)', async () => {
    const dir = await tempDir();
    const j = new ActionJournal(new FileJournalStore(dir, () => {}));
    j.begin({ id: 'x1', action: 'a', argv: ['/bin/true'], startedAt: 5 });
    const again = new ActionJournal(new FileJournalStore(dir, () => {}));
    expect(again.inFlight).toEqual({ id: 'x1', action: 'a', argv: ['/bin/true'], startedAt: 5 });
    again.finish(result('x1'));
    const third = new ActionJournal(new FileJournalStore(dir, () => {}));
    expect(third.inFlight).toBeNull();
    expect(third.results.map((r) => r.id)).toEqual(['x1']);
    expect(existsSync(join(dir, `${JOURNAL_FILE}.tmp`))).toBe(false);
  });

  it('an unreadable file is moved aside and the journal starts empty, saying so', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, JOURNAL_FILE), '{"version":1,"inFl');
    const lines: string[] = [];
    const j = new ActionJournal(new FileJournalStore(dir, (l) => lines.push(l)));
    expect(j.inFlight).toBeNull();
    expect(j.results).toEqual([]);
    expect(await readFile(join(dir, `${JOURNAL_FILE}.damaged`), 'utf8')).toBe('{"version":1,"inFl');
    expect(lines[0]).toMatch(/unreadable; moved to .*\.damaged/);
  });

  it(`keeps at most ${MAX_JOURNAL_RESULTS} unacked results, dropping the oldest`, async () => {
    const dir = await tempDir();
    const j = new ActionJournal(new FileJournalStore(dir, () => {}));
    let dropped = 0;
    for (let i = 0; i < MAX_JOURNAL_RESULTS + 5; i++) dropped += j.finish(result(`r${i}`));
    expect(dropped).toBe(5);
    expect(j.results).toHaveLength(MAX_JOURNAL_RESULTS);
    expect(j.results[0]!.id).toBe('r5');
    expect(j.ack('r5')).toBe(true);
    expect(j.ack('r5')).toBe(false);
    expect(j.wasAcked('r5')).toBe(true);
  });
});
