import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticSeries } from '../../bench/forecast-series.js';
import { tempDir } from '../helpers/core.js';

const BIN = join(import.meta.dirname, '../../bin/meridian.js');

function run(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, out, err })));
}

describe('meridian forecast --csv (compiled, as installed)', () => {
  let dir = '';
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    return writeFile(path, text).then(() => path);
  };
  beforeAll(async () => {
    if (!existsSync(join(import.meta.dirname, '../../dist/electron/cli.js'))) {
      throw new Error('dist/ is missing: run `npm run build` (npm test does it first)');
    }
    dir = await tempDir();
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('prints 168 rows for 7 d of hourly input, and the model and backtest on stderr', async () => {
    const s = syntheticSeries(42, { points: 720, slope: 0.03, noise: 0.5 });
    const csv = [
      'timestamp,value',
      ...s.timestamps.map((t, i) => `${new Date(t).toISOString()},${s.values[i]}`),
    ].join('\n');
    const { code, out, err } = await run(['forecast', '--csv', await file('good.csv', csv)]);
    expect(code).toBe(0);
    const rows = out.trim().split('\n');
    expect(rows[0]).toBe('timestamp,forecast,lower,upper');
    expect(rows).toHaveLength(169);
    const [ts, point, lower, upper] = rows[1]!.split(',');
    expect(Date.parse(ts!)).toBe(s.timestamps[719]! + 3_600_000);
    expect(Number(lower)).toBeLessThan(Number(point));
    expect(Number(upper)).toBeGreaterThan(Number(point));
    const last = rows[168]!.split(',');
    expect(Date.parse(last[0]!)).toBe(s.timestamps[719]! + 168 * 3_600_000);
    expect(err).toMatch(/model: (mstl_ets|linear_trend|damped_trend|seasonal_naive|auto_ets)/);
    expect(err).toMatch(/MASE \d+\.\d+/);
    expect(err).toMatch(/95 % band held \d+\.\d %/);
  });

  it('reads epoch seconds, honours --horizon and --interval', async () => {
    const s = syntheticSeries(43, { points: 100 });
    const csv = ['ts,v', ...s.timestamps.map((t, i) => `${t / 1000},${s.values[i]}`)].join('\n');
    const path = await file('epoch.csv', csv);
    const wide = await run(['forecast', '--csv', path, '--horizon', '12h', '--effort', 'fast']);
    const narrow = await run([
      'forecast',
      '--csv',
      path,
      '--horizon',
      '12h',
      '--interval',
      '0.5',
      '--effort',
      'fast',
    ]);
    expect(wide.code).toBe(0);
    const width = (out: string) => {
      const [, , lo, hi] = out.trim().split('\n')[12]!.split(',');
      return Number(hi) - Number(lo);
    };
    expect(wide.out.trim().split('\n')).toHaveLength(13);
    expect(width(narrow.out)).toBeLessThan(width(wide.out));
    expect(narrow.err).toMatch(/bands printed: 50\.0 %/);
  });

  it.each([
    ['missing header', '1714521600,1\n1714525200,2\n', /line 1: missing header/],
    [
      'unparsable row',
      'timestamp,value\n1714521600,1\n1714525200,oops\n',
      /line 3: cannot read value "oops"/,
    ],
    ['unsorted', 'timestamp,value\n1714525200,1\n1714521600,2\n', /line 3: timestamps not sorted/],
    [
      'duplicate',
      'timestamp,value\n1714521600,1\n1714525200,2\n1714525200,3\n',
      /line 4: duplicate timestamp/,
    ],
  ])('refuses a CSV with a %s, naming the line, exit 2', async (name, text, message) => {
    const path = await file(`${name.replace(/ /g, '-')}.csv`, text);
    const { code, out, err } = await run(['forecast', '--csv', path]);
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toMatch(message);
    expect(err).toContain(path);
  });

  it('refuses too short a history, too long a horizon and a missing file, exit 2', async () => {
    const s = syntheticSeries(44, { points: 10 });
    const csv = ['timestamp,value', ...s.timestamps.map((t, i) => `${t},${s.values[i]}`)].join(
      '\n',
    );
    const short = await run(['forecast', '--csv', await file('short.csv', csv)]);
    expect(short.code).toBe(2);
    expect(short.err).toMatch(/insufficient data: a forecast needs at least 24 points.*has 10/);
    const far = await run(['forecast', '--csv', join(dir, 'short.csv'), '--horizon', '31d']);
    expect(far.code).toBe(2);
    expect(far.err).toMatch(/--horizon must be a duration from 1h to 30d/);
    const missing = await run(['forecast', '--csv', join(dir, 'nope.csv')]);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/cannot read --csv/);
  });
});
