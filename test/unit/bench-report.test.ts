// bench/report.ts: the file `npm run bench` writes passes `prettier --check` as it stands, and
// its notes carry the run's own numbers.
import { join } from 'node:path';
import * as prettier from 'prettier';
import { describe, expect, it } from 'vitest';
import type { Section } from '../../bench/harness.js';
import { agentCostNote } from '../../bench/agent-cost.js';
import { alertStreamNote } from '../../bench/alert-stream.js';
import { crossingNote } from '../../bench/crossing-to-screen.js';
import { ingestNote } from '../../bench/ingest.js';
import { renderReport, report } from '../../bench/report.js';
import { replayNote } from '../../bench/tsdb.js';

const FILE = join(import.meta.dirname, '../../docs/BENCHMARKS.md');
const META = { machine: 'Test CPU × 2 cores, 8 GiB RAM', date: '2026-01-02', quick: false };

const SECTIONS: Section[] = [
  {
    title: 'Ingest throughput',
    command: 'npm run bench (section ingest)',
    figures: [
      {
        name: 'samples/s acked (50 agents × batches of 100, 10 s)',
        value: '312,345',
        target: '≥ 200,000',
        met: true,
      },
      { name: 'process CPU (core + load generator threads)', value: '1.23 cores' },
    ],
    notes: [
      ingestNote({ agents: 50, batch: 100, window: 4, flushMs: 50, cores: 1.23, machineCores: 2 }),
    ],
  },
  {
    title: 'Metric store: start-up replay of 1 h of WAL',
    command: 'npm run bench (section replay)',
    figures: [
      { name: 'samples restored', value: '36,000,000' },
      { name: 'replay time', value: '9876 ms', target: '≤ 5 s', met: false },
      { name: 'a value with a | pipe', value: 'a | b' },
    ],
    notes: [
      replayNote({
        seconds: 3_600,
        samples: 36_000_000,
        replayMs: 9_876,
        bounded: false,
        walLimitBytes: 64 * 2 ** 20,
      }),
    ],
  },
];

async function prettierAccepts(markdown: string): Promise<boolean> {
  const config = (await prettier.resolveConfig(FILE)) ?? {};
  return prettier.check(markdown, { ...config, filepath: FILE });
}

describe('the benchmark report', () => {
  it('is written formatted: prettier --check accepts it', async () => {
    // The raw rendering (unaligned tables, long lines) is what the bench used to write.
    expect(await prettierAccepts(renderReport(SECTIONS, META))).toBe(false);
    const md = await report(SECTIONS, META, FILE);
    expect(await prettierAccepts(md)).toBe(true);
    expect(md).toContain('- Machine: Test CPU × 2 cores, 8 GiB RAM');
    expect(md).toContain('- Date: 2026-01-02');
    expect(md).toMatch(/\| replay time +\| 9876 ms +\| ≤ 5 s ❌ missed +\|/);
    expect(md).toContain('a \\| b');
  });

  it('takes the numbers in its notes from the run', async () => {
    const md = await report(SECTIONS, META, FILE);
    const notes = md.slice(md.indexOf('## Notes'));
    // Prettier may wrap the notes: compare with whitespace collapsed.
    const flat = notes.replace(/\s+/g, ' ');
    expect(flat).toContain("used 1.23 of the machine's 2 cores");
    expect(flat).toContain('(50 × 4 × 100 = 20,000 samples per commit window)');
    expect(flat).toContain('every 50 ms');
    expect(flat).toContain('(36,000,000 samples) took 9876 ms.');
    expect(flat).toContain('a flush is forced at 64 MiB of WAL');
    // Another run, other numbers: nothing in the notes is fixed text.
    const other = ingestNote({
      agents: 8,
      batch: 10,
      window: 2,
      flushMs: 20,
      cores: 1.9,
      machineCores: 2,
    });
    expect(other).toContain('(8 × 2 × 10 = 160 samples per commit window)');
    expect(other).toContain('CPU was a limit too');
    expect(
      replayNote({
        seconds: 671,
        samples: 6_710_000,
        replayMs: 1_234,
        bounded: true,
        walLimitBytes: 16 * 2 ** 20,
      }),
    ).toMatch(/11\.2 min of WAL \(6,710,000 samples\) took 1234 ms\..*reaches 16 MiB/);
  });

  it('the fast-path sections say what they measured, with the run’s numbers', () => {
    expect(alertStreamNote({ background: 1_500, windowMs: 250 })).toMatch(
      /1,500 agents of `meridian simulate` \(a third process\) report every second and keep the 250 ms batch window busy/,
    );
    const cost = agentCostNote({
      node: 'v20.1.0',
      intervals: { headline: 2_000, network: 5_000, filesystems: 60_000 },
    });
    expect(cost).toContain('(Node v20.1.0)');
    expect(cost).toContain('headline 2 s, network 5 s, filesystems 60 s');
    const crossing = crossingNote({ background: 300, intervalMs: 1_000 });
    expect(crossing).toContain('a real WebSocket sender emulating the reference agent');
    expect(crossing).toContain('headline metrics every 1000 ms');
    expect(crossing).toContain('300 agents of `meridian simulate`');
    expect(crossing).toContain('(0–1000 ms)');
  });

  it('says when it is a quick run', async () => {
    const md = await report(SECTIONS, { ...META, quick: true }, FILE);
    expect(md).toContain('npm run bench -- --quick');
    expect(md.replace(/\s+/g, ' ')).toContain('The figures do not measure the targets');
  });
});
