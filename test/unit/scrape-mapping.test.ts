// What a scrape becomes on the wire: node_exporter's cpu/memory/filesystems as the built-in
// metrics, counters as per-second rates (resets included), histograms with their buckets,
// NaN/±Inf left out, and a cap on series. On node_exporter 1.5.0's real text.
import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { CounterRates } from '../../agent/scrape/counter-rates.js';
import { parseExposition } from '../../agent/scrape/exposition.js';
import { forward, unitOf } from '../../agent/scrape/forward.js';
import { filesystems, NodeExporterMapping } from '../../agent/scrape/node-exporter.js';
import { MAX_SAMPLES_PER_BATCH, MetricsMessage, type Sample } from '../../shared/protocol.js';
import { scrapeFixture as fixture } from '../helpers/scrape-fixtures.js';

const A = parseExposition(fixture('node-exporter-1.5.0-a.prom'));
const B = parseExposition(fixture('node-exporter-1.5.0-b.prom'));
const APP = parseExposition(fixture('app-exposition.prom'));
const opts = (ts: number, rates = new CounterRates(), maxSeries = 10_000) => ({
  instance: '127.0.0.1:9100',
  ts,
  rates,
  maxSeries,
});
const value = (samples: Sample[], name: string, labels?: Record<string, string>) =>
  samples.find(
    (s) => s.name === name && JSON.stringify(s.labels ?? {}) === JSON.stringify(labels ?? {}),
  )?.value;
const valueIn = (text: string, line: string) =>
  Number(new RegExp(`^${line.replace(/[{}"]/g, '\\$&')} (\\S+)$`, 'm').exec(text)![1]);

describe('node_exporter → built-in metrics', () => {
  it('cpu_usage from the cpu seconds by mode between two scrapes (idle and iowait are idle); the first only takes the baseline', () => {
    const m = new NodeExporterMapping();
    const first = m.map(A, 1_000);
    expect(first.map((s) => s.name)).not.toContain('cpu_usage');
    const second = m.map(B, 5_000);
    // Independently: sum every cpu's seconds per mode in each text.
    const sums = (samples: typeof A) => {
      let total = 0;
      let idle = 0;
      for (const s of samples.filter((x) => x.name === 'node_cpu_seconds_total')) {
        total += s.value;
        if (['idle', 'iowait'].includes(s.labels.mode!)) idle += s.value;
      }
      return { total, idle };
    };
    const [a, b] = [sums(A), sums(B)];
    const expected = (1 - (b.idle - a.idle) / (b.total - a.total)) * 100;
    expect(value(second, 'cpu_usage')).toBeCloseTo(expected, 1);
    expect(second.find((s) => s.name === 'cpu_usage')).toMatchObject({ unit: '%', kind: 'gauge' });
    expect(second.find((s) => s.name === 'cpu_usage')).not.toHaveProperty('labels');
  });

  it('a cpu counter reset (a reboot) takes a new baseline instead of a negative or huge figure', () => {
    const m = new NodeExporterMapping();
    m.map(B, 1_000);
    const rebooted = A.map((s) =>
      s.name === 'node_cpu_seconds_total' ? { ...s, value: s.value / 1000 } : s,
    );
    expect(m.map(rebooted, 2_000).map((s) => s.name)).not.toContain('cpu_usage');
    const later = rebooted.map((s) =>
      s.name === 'node_cpu_seconds_total' && s.labels.mode === 'user'
        ? { ...s, value: s.value + 1 }
        : s,
    );
    // Only user time moved: 100 % busy.
    expect(value(m.map(later, 3_000), 'cpu_usage')).toBe(100);
  });

  it('memory_usage is total less available over total; disk_usage and filesystem_usage{mount} as df computes them', () => {
    const text = fixture('node-exporter-1.5.0-a.prom');
    const out = new NodeExporterMapping().map(A, 1_000);
    const total = valueIn(text, 'node_memory_MemTotal_bytes');
    const avail = valueIn(text, 'node_memory_MemAvailable_bytes');
    expect(value(out, 'memory_usage')).toBeCloseTo(((total - avail) / total) * 100, 2);
    const fs = (f: string) =>
      valueIn(text, `node_filesystem_${f}_bytes{device="/dev/vda",fstype="ext4",mountpoint="/"}`);
    const used = fs('size') - fs('free');
    const df = (used / (used + fs('avail'))) * 100;
    expect(value(out, 'disk_usage')).toBeCloseTo(df, 2);
    expect(value(out, 'filesystem_usage', { mount: '/' })).toBeCloseTo(df, 2);
  });

  it('filesystems: disks only (no tmpfs, no overlay but a container root), readable ones, each device once', () => {
    const fsLines = (
      mount: string,
      device: string,
      fstype: string,
      size: number,
      avail: number,
      error = 0,
    ) =>
      [
        `node_filesystem_size_bytes{device="${device}",fstype="${fstype}",mountpoint="${mount}"} ${size}`,
        `node_filesystem_free_bytes{device="${device}",fstype="${fstype}",mountpoint="${mount}"} ${avail}`,
        `node_filesystem_avail_bytes{device="${device}",fstype="${fstype}",mountpoint="${mount}"} ${avail}`,
        `node_filesystem_device_error{device="${device}",fstype="${fstype}",mountpoint="${mount}"} ${error}`,
      ].join('\n');
    const text = [
      fsLines('/', 'overlay', 'overlay', 100, 75),
      fsLines('/run', 'tmpfs', 'tmpfs', 100, 1),
      fsLines('/var/lib/docker/overlay2/x/merged', 'overlay', 'overlay', 100, 1),
      fsLines('/srv', '/dev/sdb1', 'xfs', 1000, 100),
      fsLines('/srv/bind', '/dev/sdb1', 'xfs', 1000, 100),
      fsLines('/mnt/nfs', 'host:/export', 'nfs4', 0, 0, 1),
      fsLines('/boot', '/dev/sda1', 'ext4', 0, 0),
    ].join('\n');
    expect(filesystems(parseExposition(text))).toEqual([
      { mount: '/', use: 25 },
      { mount: '/srv', use: 90 },
    ]);
  });

  it('an app that is not node_exporter yields no built-ins', () => {
    expect(new NodeExporterMapping().map(APP, 1_000)).toEqual([]);
  });
});

describe('scraped samples on the wire', () => {
  it("every sample of node_exporter's text fits the protocol's metrics message", () => {
    const rates = new CounterRates();
    forward(A, opts(1_000, rates));
    rates.endScrape();
    const out = forward(B, opts(5_000, rates));
    expect(out.samples.length).toBeGreaterThan(300);
    expect(out.samples.length).toBeLessThanOrEqual(MAX_SAMPLES_PER_BATCH);
    const msg = { type: 'metrics', seq: 1, samples: out.samples };
    expect([...Value.Errors(MetricsMessage, msg)].slice(0, 3)).toEqual([]);
    expect(out.samples.every((s) => s.labels?.instance === '127.0.0.1:9100')).toBe(true);
  });

  it('counters become per-second rates (NAME:rate); the first scrape only takes the baseline', () => {
    const rates = new CounterRates();
    const first = forward(A, opts(1_000, rates));
    rates.endScrape();
    expect(first.samples.some((s) => s.name.endsWith(':rate'))).toBe(false);
    expect(first.samples.some((s) => s.name === 'node_cpu_seconds_total')).toBe(false);
    const second = forward(B, opts(5_000, rates));
    const labels = { cpu: '0', mode: 'user', instance: '127.0.0.1:9100' };
    const user = (p: typeof A) =>
      p.find(
        (s) =>
          s.name === 'node_cpu_seconds_total' && s.labels.cpu === '0' && s.labels.mode === 'user',
      )!.value;
    expect(value(second.samples, 'node_cpu_seconds_total:rate', labels)).toBeCloseTo(
      (user(B) - user(A)) / 4,
      3,
    );
    expect(second.samples.find((s) => s.name === 'node_cpu_seconds_total:rate')).toMatchObject({
      unit: 's/s',
      kind: 'gauge',
    });
    // The series count is the same both times: a target's cost does not jump after its first scrape.
    expect(second.series).toBe(first.series);
  });

  it('a counter reset counts as a restart from zero: the new value over the interval', () => {
    const rates = new CounterRates();
    forward(APP, opts(10_000, rates));
    rates.endScrape();
    const restarted = APP.map((s) =>
      s.name === 'http_requests_total' && s.labels.code === '200' ? { ...s, value: 20 } : s,
    );
    const out = forward(restarted, opts(20_000, rates));
    const labels = { method: 'post', code: '200', instance: '127.0.0.1:9100' };
    expect(value(out.samples, 'http_requests_total:rate', labels)).toBe(2);
    expect(value(out.samples, 'http_requests_total:rate', { ...labels, code: '400' })).toBe(0);
    expect(rates.resets).toBe(1);
  });

  it('with rawCounters the raw counter goes too (kind counter), and counts as a series', () => {
    const out = forward(APP, { ...opts(1_000), rawCounters: true });
    expect(out.samples.filter((s) => s.name === 'http_requests_total')).toHaveLength(2);
    expect(out.samples.find((s) => s.name === 'http_requests_total')!.kind).toBe('counter');
    expect(out.series).toBe(forward(APP, opts(1_000)).series + 2);
  });

  it('histograms keep every bucket (le label), _sum and _count, as kind histogram, raw', () => {
    const out = forward(APP, opts(1_000));
    const buckets = out.samples.filter((s) => s.name === 'http_request_duration_seconds_bucket');
    expect(buckets.map((b) => [b.labels!.le, b.value])).toEqual([
      ['0.05', 24054],
      ['0.1', 33444],
      ['0.2', 100392],
      ['0.5', 129389],
      ['1', 133988],
      ['+Inf', 144320],
    ]);
    expect(buckets.every((b) => b.kind === 'histogram' && b.unit === 's')).toBe(true);
    expect(
      value(out.samples, 'http_request_duration_seconds_sum', { instance: '127.0.0.1:9100' }),
    ).toBe(53423);
    const count = out.samples.find((s) => s.name === 'http_request_duration_seconds_count')!;
    expect(count).toMatchObject({ value: 144320, kind: 'histogram' });
    expect(count).not.toHaveProperty('unit');
    expect(
      out.samples.filter((s) => s.name === 'queue_wait_seconds_bucket').map((b) => b.labels),
    ).toEqual([
      { queue: 'mail', le: '0', instance: '127.0.0.1:9100' },
      { queue: 'mail', le: '0.5', instance: '127.0.0.1:9100' },
      { queue: 'mail', le: '+Inf', instance: '127.0.0.1:9100' },
    ]);
    expect(
      out.samples
        .filter((s) => s.name === 'rpc_duration_seconds')
        .every((s) => s.kind === 'summary'),
    ).toBe(true);
  });

  it('NaN and ±Inf values are left out and counted; the timestamp is the scrape time', () => {
    const out = forward(APP, opts(7_000));
    expect(out.skipped.non_finite).toBe(2); // something_weird +Inf, last_backup_age_seconds NaN
    expect(
      out.samples.some((s) => s.name === 'something_weird' || s.name === 'last_backup_age_seconds'),
    ).toBe(false);
    expect(out.samples.every((s) => s.ts === 7_000 && Number.isFinite(s.value))).toBe(true);
  });

  it('escaped label values survive; a newline becomes a space (the console refuses control characters)', () => {
    const out = forward(APP, opts(1_000));
    expect(out.samples.find((s) => s.name === 'msdos_file_access_time_seconds')!.labels).toEqual({
      path: 'C:\\DIR\\FILE.TXT',
      error: 'Cannot find file: "FILE.TXT"',
      instance: '127.0.0.1:9100',
    });
  });

  it("labels the console cannot take drop the sample (counted); an exporter's instance becomes exported_instance", () => {
    const text = [
      'a{_hidden="1"} 1',
      `b{${Array.from({ length: 16 }, (_, i) => `l${i}="x"`).join(',')}} 1`,
      `c{long="${'x'.repeat(300)}"} 1`,
      'd{instance="app-1"} 1',
    ].join('\n');
    const out = forward(parseExposition(text), opts(1_000));
    expect(out.skipped.bad_labels).toBe(3);
    expect(out.samples).toEqual([
      {
        name: 'd',
        value: 1,
        ts: 1_000,
        labels: { exported_instance: 'app-1', instance: '127.0.0.1:9100' },
      },
    ]);
  });

  it('stops at the series cap and says how many were left out', () => {
    const all = forward(A, opts(1_000));
    const capped = forward(A, opts(1_000, new CounterRates(), 100));
    expect(capped.series).toBe(100);
    expect(capped.overLimit).toBe(all.series - 100);
    expect(capped.samples.length).toBeLessThanOrEqual(100);
  });

  it('units from the name: _bytes is B, _seconds is s, a _count has none', () => {
    expect(unitOf('node_memory_MemTotal_bytes')).toBe('B');
    expect(unitOf('node_network_receive_bytes_total')).toBe('B');
    expect(unitOf('x_seconds_bucket')).toBe('s');
    expect(unitOf('x_seconds_count')).toBeUndefined();
    expect(unitOf('node_load1')).toBeUndefined();
  });
});
