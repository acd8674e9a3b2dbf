import { describe, expect, it } from 'vitest';
import {
  parseSelector,
  selects,
  SelectorError,
  unquote,
} from '../../electron/core/interop/selector.js';
import { parseMatches } from '../../electron/core/interop/federation.js';

const plain = (text: string) =>
  parseSelector(text).map(({ name, op, value }) => ({ name, op, value }));

describe('series selectors (match[])', () => {
  it('a bare metric name is a __name__ equality', () => {
    expect(plain('cpu_usage')).toEqual([{ name: '__name__', op: '=', value: 'cpu_usage' }]);
  });

  it('reads all four operators, with and without a metric name', () => {
    expect(
      plain('cpu_usage{region="eu-west-1",hostname!="db-1",agent=~"agt-.*",x!~"a|b"}'),
    ).toEqual([
      { name: '__name__', op: '=', value: 'cpu_usage' },
      { name: 'region', op: '=', value: 'eu-west-1' },
      { name: 'hostname', op: '!=', value: 'db-1' },
      { name: 'agent', op: '=~', value: 'agt-.*' },
      { name: 'x', op: '!~', value: 'a|b' },
    ]);
    expect(plain('{__name__=~"cpu.*"}')).toEqual([{ name: '__name__', op: '=~', value: 'cpu.*' }]);
  });

  it('unquotes Go-style strings: escapes in "…" and \'…\', none in `…`', () => {
    expect(plain('m{a="x\\"y\\\\z\\n"}')[1]!.value).toBe('x"y\\z\n');
    expect(plain("m{a='it\\'s'}")[1]!.value).toBe("it's");
    expect(plain('m{a=`C:\\dir`}')[1]!.value).toBe('C:\\dir');
    expect(unquote('"\\x41\\u00e9\\101"')).toBe('AéA');
    expect(() => unquote('"\\q"')).toThrow(SelectorError);
  });

  it('anchors regular expressions at both ends, as Prometheus does', () => {
    const m = parseSelector('{region=~"eu-.*"}');
    expect(selects(m, { region: 'eu-west-1' })).toBe(true);
    expect(selects(m, { region: 'us-eu-1' })).toBe(false);
    const notDb = parseSelector('up{hostname!~"db-.*"}');
    expect(selects(notDb, { __name__: 'up', hostname: 'web-1' })).toBe(true);
    expect(selects(notDb, { __name__: 'up', hostname: 'db-1' })).toBe(false);
  });

  it('a missing label matches as the empty string', () => {
    expect(selects(parseSelector('up{zone=""}'), { __name__: 'up' })).toBe(true);
    expect(selects(parseSelector('up{zone!=""}'), { __name__: 'up' })).toBe(false);
  });

  it.each([
    ['', /empty/],
    ['cpu{', /syntax error/],
    ['cpu{region="x"', /syntax error/],
    ['rate(cpu[5m])', /not a series selector/],
    ['cpu + mem', /not a series selector/],
    ['cpu[5m]', /not a series selector/],
    ['{region=~".*"}', /must not match the empty string/],
    ['{a=""}', /must not match the empty string/],
    ['{a=~"("}', /bad regular expression/],
  ])('refuses %j', (text, why) => {
    expect(() => parseSelector(text)).toThrow(why);
  });

  it('names which match[] is bad, and wants at least one', () => {
    expect(() => parseMatches(['up', 'cpu{'])).toThrow(/match\[\] #2 \("cpu\{"\): syntax error/);
    expect(() => parseMatches([])).toThrow(/at least one 'match\[\]'/);
  });
});
