import { describe, expect, it } from 'vitest';
import {
  escapeLabelValue,
  labelName,
  metricName,
  renderExposition,
} from '../../electron/core/interop/exposition.js';
import {
  federate,
  LOOKBACK_MS,
  parseMatches,
  type FederatedSeries,
  type FederationSource,
} from '../../electron/core/interop/federation.js';

describe('Prometheus text exposition', () => {
  it('escapes backslash, double quote and newline in label values, nothing else', () => {
    expect(escapeLabelValue('a\\b"c\nd\te')).toBe('a\\\\b\\"c\\nd\te');
  });

  it('groups a metric’s series under one TYPE line, labels sorted, timestamps in ms', () => {
    const text = renderExposition([
      { name: 'mem', labels: { b: '2', a: '1' }, value: 5, ts: 1000 },
      { name: 'cpu', labels: {}, value: 0.5, ts: 2000 },
      { name: 'mem', labels: { a: 'x"y' }, value: 6, ts: 3000 },
    ]);
    expect(text).toBe(
      [
        '# TYPE cpu untyped',
        'cpu 0.5 2000',
        '# TYPE mem untyped',
        'mem{a="1",b="2"} 5 1000',
        'mem{a="x\\"y"} 6 3000',
        '',
      ].join('\n'),
    );
  });

  it('writes NaN and infinities as Prometheus reads them', () => {
    const text = renderExposition([
      { name: 'a', labels: { k: '1' }, value: NaN, ts: 1 },
      { name: 'a', labels: { k: '2' }, value: Infinity, ts: 1 },
      { name: 'a', labels: { k: '3' }, value: -Infinity, ts: 1 },
    ]);
    expect(text).toContain('a{k="1"} NaN 1\n');
    expect(text).toContain('a{k="2"} +Inf 1\n');
    expect(text).toContain('a{k="3"} -Inf 1\n');
  });

  it('makes names legal: metric names keep colons, label names do not, __ is reserved', () => {
    expect(metricName('http.requests-total')).toBe('http_requests_total');
    expect(metricName('9lives')).toBe('_9lives');
    expect(metricName('job:rate5m')).toBe('job:rate5m');
    expect(labelName('mount.point')).toBe('mount_point');
    expect(labelName('a:b')).toBe('a_b');
    expect(labelName('__name__')).toBe('exported___name__');
  });
});

describe('federate', () => {
  const NOW = 1_700_000_000_000;
  const series: FederatedSeries[] = [
    { agentId: 'agt-1', name: 'cpu_usage', labels: {}, lastTs: NOW - 1000, lastValue: 42 },
    { agentId: 'agt-2', name: 'cpu_usage', labels: {}, lastTs: NOW - 2000, lastValue: 7 },
    // Too old for the lookback: left out.
    {
      agentId: 'agt-3',
      name: 'cpu_usage',
      labels: {},
      lastTs: NOW - LOOKBACK_MS - 1,
      lastValue: 1,
    },
    {
      agentId: 'agt-1',
      name: 'disk_usage',
      labels: { mount: '/var', region: 'sneaky' },
      lastTs: NOW - 500,
      lastValue: 81,
    },
  ];
  const source: FederationSource = {
    now: () => NOW,
    metricNames: () => ['cpu_usage', 'disk_usage'],
    seriesOf: (m) => series.filter((s) => s.name === m),
    agent: (id) =>
      ({
        'agt-1': { hostname: 'web-1', regionId: 'eu-west-1' },
        'agt-2': { hostname: 'db-1', regionId: 'us-east-1' },
      })[id],
  };

  it('answers the newest value of each selected series with agent, hostname and region', () => {
    const text = federate(source, parseMatches(['cpu_usage']));
    expect(text).toBe(
      [
        '# TYPE cpu_usage untyped',
        `cpu_usage{agent="agt-1",hostname="web-1",region="eu-west-1"} 42 ${NOW - 1000}`,
        `cpu_usage{agent="agt-2",hostname="db-1",region="us-east-1"} 7 ${NOW - 2000}`,
        '',
      ].join('\n'),
    );
  });

  it('matches on the console’s labels; a stored label it overrides is kept as exported_', () => {
    const text = federate(source, parseMatches(['{region="eu-west-1"}']));
    expect(text).toContain(
      `disk_usage{agent="agt-1",exported_region="sneaky",hostname="web-1",mount="/var",region="eu-west-1"} 81`,
    );
    expect(text).not.toContain('db-1');
  });

  it('a series picked by two selectors appears once; nothing matched is an empty answer', () => {
    const text = federate(source, parseMatches(['cpu_usage', '{hostname="web-1"}']));
    expect(text.match(/hostname="web-1"/g)).toHaveLength(2); // cpu and disk, once each
    expect(federate(source, parseMatches(['nothing_here']))).toBe('');
  });
});
