// The exposition parser on real text: node_exporter 1.5.0's own output (captured from Debian's
// prometheus-node-exporter) and the format documentation's example, plus every rule it breaks.
import { describe, expect, it } from 'vitest';
import {
  ExpositionError,
  parseExposition,
  parseFloatValue,
} from '../../agent/scrape/exposition.js';
import { scrapeFixture as fixture } from '../helpers/scrape-fixtures.js';

describe('exposition parser', () => {
  it("reads every sample of node_exporter's text, with its family's type", () => {
    const text = fixture('node-exporter-1.5.0-a.prom');
    const samples = parseExposition(text);
    const sampleLines = text.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
    expect(samples).toHaveLength(sampleLines.length);
    const cpu = samples.filter((s) => s.name === 'node_cpu_seconds_total');
    expect(cpu.length).toBeGreaterThan(0);
    expect(cpu[0]).toMatchObject({ type: 'counter', family: 'node_cpu_seconds_total' });
    expect(new Set(cpu.map((s) => s.labels.mode))).toEqual(
      new Set(['idle', 'iowait', 'irq', 'nice', 'softirq', 'steal', 'system', 'user']),
    );
    const total = samples.find((s) => s.name === 'node_memory_MemTotal_bytes')!;
    expect(total.type).toBe('gauge');
    expect(total.value).toBe(Number(/^node_memory_MemTotal_bytes (\S+)$/m.exec(text)![1]));
    // The go runtime's summary: quantiles and _sum/_count belong to it.
    const gc = samples.filter((s) => s.family === 'go_gc_duration_seconds');
    expect(gc.map((s) => s.name)).toContain('go_gc_duration_seconds_count');
    expect(gc.every((s) => s.type === 'summary')).toBe(true);
    // node_exporter declares some families untyped (its text collector's, the scrape's own).
    const untyped = [...text.matchAll(/^# TYPE (\S+) untyped$/gm)].map((m) => m[1]);
    expect(untyped.length).toBeGreaterThan(0);
    expect(
      samples.filter((s) => untyped.includes(s.family)).every((s) => s.type === 'untyped'),
    ).toBe(true);
  });

  it("reads the format documentation's example: escapes, timestamps, ±Inf, NaN, histograms, summaries", () => {
    const samples = parseExposition(fixture('app-exposition.prom'));
    const by = (name: string) => samples.filter((s) => s.name === name);
    expect(by('http_requests_total')).toEqual([
      {
        name: 'http_requests_total',
        labels: { method: 'post', code: '200' },
        value: 1027,
        timestampMs: 1395066363000,
        family: 'http_requests_total',
        type: 'counter',
      },
      {
        name: 'http_requests_total',
        labels: { method: 'post', code: '400' },
        value: 3,
        timestampMs: 1395066363000,
        family: 'http_requests_total',
        type: 'counter',
      },
    ]);
    expect(by('msdos_file_access_time_seconds')[0]!.labels).toEqual({
      path: 'C:\\DIR\\FILE.TXT',
      error: 'Cannot find file:\n"FILE.TXT"',
    });
    expect(by('msdos_file_access_time_seconds')[0]!.value).toBe(1.458255915e9);
    expect(by('metric_without_timestamp_and_labels')[0]).toMatchObject({
      value: 12.47,
      labels: {},
      type: 'untyped',
    });
    expect(by('metric_without_timestamp_and_labels')[0]).not.toHaveProperty('timestampMs');
    expect(by('something_weird')[0]).toMatchObject({ value: Infinity, timestampMs: -3982045 });
    expect(Number.isNaN(by('last_backup_age_seconds')[0]!.value)).toBe(true);

    const buckets = by('http_request_duration_seconds_bucket');
    expect(buckets.map((b) => b.labels.le)).toEqual(['0.05', '0.1', '0.2', '0.5', '1', '+Inf']);
    expect(buckets.every((b) => b.type === 'histogram')).toBe(true);
    expect(by('http_request_duration_seconds_sum')[0]).toMatchObject({
      family: 'http_request_duration_seconds',
      type: 'histogram',
      value: 53423,
    });
    // A labelled histogram keeps its labels and its "0" bucket (with value 0).
    expect(by('queue_wait_seconds_bucket').map((b) => [b.labels, b.value])).toEqual([
      [{ queue: 'mail', le: '0' }, 0],
      [{ queue: 'mail', le: '0.5' }, 7],
      [{ queue: 'mail', le: '+Inf' }, 9],
    ]);
    expect(by('queue_wait_seconds_count')[0]).toMatchObject({
      labels: { queue: 'mail' },
      value: 9,
    });
    expect(by('rpc_duration_seconds').map((s) => s.labels.quantile)).toEqual([
      '0.01',
      '0.05',
      '0.5',
      '0.9',
      '0.99',
    ]);
    expect(by('rpc_duration_seconds_sum')[0]).toMatchObject({
      type: 'summary',
      value: 1.7560473e7,
    });
  });

  it('takes tabs, CRLF, a trailing comma and spaces inside braces; HELP with any text', () => {
    const text =
      '# HELP a_total Anything {at all} "here"\r\n# TYPE a_total counter\r\na_total{ x = "1" ,y="2", }\t5\r\n';
    expect(parseExposition(text)).toEqual([
      {
        name: 'a_total',
        labels: { x: '1', y: '2' },
        value: 5,
        family: 'a_total',
        type: 'counter',
      },
    ]);
  });

  it('reads floats as Go does: NaN, Inf in any case, exponents; not hex or words', () => {
    expect(parseFloatValue('NaN')).toBeNaN();
    expect(parseFloatValue('+Inf')).toBe(Infinity);
    expect(parseFloatValue('-Inf')).toBe(-Infinity);
    expect(parseFloatValue('inf')).toBe(Infinity);
    expect(parseFloatValue('1.5e+06')).toBe(1.5e6);
    expect(parseFloatValue('-.5')).toBe(-0.5);
    expect(parseFloatValue('0x10')).toBeNull();
    expect(parseFloatValue('one')).toBeNull();
    expect(parseFloatValue('')).toBeNull();
  });

  it.each([
    ['no value', 'up\n', /line 3: expected 'value/],
    ['a word for a value', 'up one\n', /bad value 'one'/],
    ['an unterminated label value', 'up{a="x} 1\n', /unterminated value of label a/],
    ['a bad escape', 'up{a="x\\t"} 1\n', /bad escape '\\t'/],
    ['a label twice', 'up{a="1",a="2"} 1\n', /label a twice/],
    ['an unquoted label value', 'up{a=1} 1\n', /expected '"'/],
    ['a missing brace', 'up{a="1" 1\n', /expected ',' or '}'/],
    ['a bad timestamp', 'up 1 12.5\n', /bad timestamp '12.5'/],
    ['extra fields', 'up 1 2 3\n', /expected 'value \[timestamp\]'/],
    ['a bad name', '9up 1\n', /expected a metric name/],
    ['an unknown TYPE', '# TYPE up gaugeish\nup 1\n', /unknown TYPE 'gaugeish'/],
    ['a second TYPE', '# TYPE up gauge\n# TYPE up counter\n', /second TYPE line for up/],
    ['a TYPE after samples', 'up 1\n# TYPE up gauge\n', /TYPE for up after its samples/],
    ['a bucket without le', '# TYPE h histogram\nh_bucket{x="1"} 1\n', /without an 'le' label/],
    ['HTML', '<html><body>Not found</body></html>\n', /expected a metric name at '<html>/],
  ])('refuses %s with the line and what is wrong', (_, text, message) => {
    expect(() => parseExposition(`# a comment\n\n${text}`)).toThrow(ExpositionError);
    expect(() => parseExposition(`# a comment\n\n${text}`)).toThrow(message);
    try {
      parseExposition(`# a comment\n\n${text}`);
    } catch (err) {
      expect((err as ExpositionError).line).toBeGreaterThanOrEqual(3);
    }
  });

  it('keeps __proto__ a plain label, not a prototype', () => {
    const [s] = parseExposition('up{__proto__="x"} 1\n');
    expect(Object.getPrototypeOf(s!.labels)).toBe(Object.prototype);
    expect(Object.keys(s!.labels)).toEqual(['__proto__']);
  });
});
