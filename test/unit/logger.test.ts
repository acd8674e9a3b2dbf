import { describe, expect, it } from 'vitest';
import { chooseLogFormat, createLogger } from '../../electron/core/logger.js';

// Local time in the text format: build the expected clock time the same way.
const at = new Date(2026, 0, 2, 12, 1, 2).getTime();

describe('createLogger', () => {
  it('text: time, padded level, message, then fields as key=value for a person', () => {
    const lines: string[] = [];
    const log = createLogger(
      'info',
      () => at,
      (l) => lines.push(l),
      'text',
    );
    log.info('metric store opened', { series: 12, ms: 40.123456, dir: '/tmp/my data' });
    log.warn('checkpoint failed; the WAL is kept');
    log.debug('not shown at info');
    expect(lines).toEqual([
      '12:01:02 INFO  metric store opened  series=12 ms=40.1 dir="/tmp/my data"\n',
      '12:01:02 WARN  checkpoint failed; the WAL is kept\n',
    ]);
  });

  it('json: one object a line with every digit, for collectors', () => {
    const lines: string[] = [];
    const log = createLogger(
      'debug',
      () => at,
      (l) => lines.push(l),
      'json',
    );
    log.debug('core started', { ms: 40.123456 });
    expect(JSON.parse(lines[0]!)).toEqual({
      t: new Date(at).toISOString(),
      level: 'debug',
      msg: 'core started',
      ms: 40.123456,
    });
  });

  it('chooses text for a terminal and JSON lines for a pipe, unless told', () => {
    expect(chooseLogFormat(null, true)).toBe('text');
    expect(chooseLogFormat(null, false)).toBe('json');
    expect(chooseLogFormat('json', true)).toBe('json');
    expect(chooseLogFormat('text', false)).toBe('text');
  });
});
