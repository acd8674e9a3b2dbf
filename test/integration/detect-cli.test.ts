// `meridian detect --csv` through the compiled command, as an operator runs it.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/core.js';
import { gaussian, HOUR, prng, T0 } from '../unit/support/anomaly-series.js';

const BIN = join(import.meta.dirname, '../../bin/meridian.js');

function detect(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, 'detect', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

/** Two weeks of hourly values on a daily cycle, with a spike at row 200 and a dip at row 280. */
function history(rows = 24 * 14): string {
  const g = gaussian(prng(21));
  const lines = ['timestamp,value'];
  for (let i = 0; i < rows; i++) {
    const v =
      50 + 20 * Math.sin((2 * Math.PI * i) / 24) + g() + (i === 200 ? 30 : i === 280 ? -30 : 0);
    // Epoch seconds, as many exports write them.
    lines.push(`${(T0 + i * HOUR) / 1000},${v.toFixed(3)}`);
  }
  return `${lines.join('\n')}\n`;
}

describe('meridian detect (compiled, as installed)', () => {
  let dir: string;
  const file = async (name: string, text: string) => {
    const path = join(dir, name);
    await writeFile(path, text);
    return path;
  };
  beforeAll(async () => {
    if (!existsSync(join(import.meta.dirname, '../../dist/electron/cli.js'))) {
      throw new Error('dist/ is missing: run `npm run build` (npm test does it first)');
    }
    dir = await tempDir();
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('prints timestamp,value,anomaly_score,is_anomaly and flags the spike and the dip only', async () => {
    const r = await detect(['--csv', await file('good.csv', history())]);
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\n');
    expect(lines[0]).toBe('timestamp,value,anomaly_score,is_anomaly');
    expect(lines).toHaveLength(1 + 24 * 14);
    const rows = lines.slice(1).map((l) => l.split(','));
    expect(rows[0]![0]).toBe(new Date(T0).toISOString());
    for (const [, , score] of rows) {
      expect(Number(score)).toBeGreaterThanOrEqual(0);
      expect(Number(score)).toBeLessThanOrEqual(1);
    }
    // The first day is the warm-up: scored 0.
    expect(rows.slice(0, 24).every((r) => r[2] === '0.0000' && r[3] === 'false')).toBe(true);
    const flagged = rows.flatMap((r, i) => (r[3] === 'true' ? [i] : []));
    expect(flagged).toEqual([200, 280]);
    expect(r.err).toMatch(/episodes \(what an anomaly rule would have raised\): 2/);
  });

  it('scores each row from the rows before it only: a prefix of the file scores the same', async () => {
    const full = (await detect(['--csv', await file('full.csv', history())])).out.split('\n');
    const text = history()
      .split('\n')
      .slice(0, 1 + 210)
      .join('\n');
    const prefix = (await detect(['--csv', await file('prefix.csv', text)])).out.trim().split('\n');
    expect(prefix).toHaveLength(211);
    expect(prefix).toEqual(full.slice(0, 211));
  });

  it('sensitivity and warm-up flags change what is flagged', async () => {
    const path = await file('flags.csv', history());
    const low = await detect(['--csv', path, '--sensitivity', '0.99']);
    expect(low.code).toBe(0);
    expect(low.out.split('\n').filter((l) => l.endsWith(',true'))).toHaveLength(0);
    const late = await detect(['--csv', path, '--warmup', '10d']);
    expect(late.out.split('\n').filter((l) => l.endsWith(',true'))).toHaveLength(1);
    expect(late.err).toMatch(/of which 240 in warm-up/);
  });

  const bad: [string, string, RegExp][] = [
    ['no header', '1704067200,1\n1704070800,2\n', /line 1: missing header row/],
    [
      'an unparsable value',
      'timestamp,value\n1704067200,1\n1704070800,abc\n',
      /line 3: cannot read value "abc"/,
    ],
    [
      'an unparsable timestamp',
      'timestamp,value\nyesterday,1\n',
      /line 2: cannot read timestamp "yesterday"/,
    ],
    [
      'unsorted timestamps',
      'timestamp,value\n1704070800,1\n1704067200,2\n',
      /line 3: timestamps not sorted/,
    ],
    [
      'a duplicate timestamp',
      'ts,v\n\n1704067200,1\n1704067200,2\n',
      /line 4: duplicate timestamp/,
    ],
    ['three columns', 'timestamp,value\n1704067200,1,9\n', /line 2: expected 2 columns/],
    ['no rows', 'timestamp,value\n', /no data rows/],
  ];
  for (const [what, text, message] of bad) {
    it(`a CSV with ${what}: a message naming the line, exit 2, nothing on stdout`, async () => {
      const path = await file(`bad-${what.replace(/\W+/g, '-')}.csv`, text);
      const r = await detect(['--csv', path]);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(message);
      expect(r.err).toContain(path);
      expect(r.out).toBe('');
    });
  }

  it('bad flags and a missing file: exit 2 with the flag named', async () => {
    const path = await file('ok.csv', history(48));
    for (const [args, message] of [
      [['--csv', path, '--sensitivity', 'extreme'], /--sensitivity must be/],
      [['--csv', path, '--warmup', '3 weeks'], /--warmup must be/],
      [[], /--csv is required/],
      [['--csv', join(dir, 'missing.csv')], /cannot read --csv/],
    ] as const) {
      const r = await detect([...args]);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(message);
    }
  });
});
