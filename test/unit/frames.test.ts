import { describe, it, expect } from 'vitest';
import { closeReason, parseAgentFrame } from '../../electron/core/ingest/frames.js';
import { CLOSE, MAX_SAMPLES_PER_BATCH } from '../../shared/protocol.js';

const hello = {
  type: 'hello',
  protocol: 1,
  hostname: 'web-1',
  region: 'us-east-1',
  agentType: 'system',
  version: '1.2.3',
};

const sample = (over: Record<string, unknown> = {}) => ({
  name: 'cpu_usage',
  value: 42.5,
  ts: 1_700_000_000_000,
  ...over,
});

const event = (over: Record<string, unknown> = {}) => ({
  ts: 1_700_000_000_000,
  category: 'security',
  severity: 'warning',
  source: 'auth',
  message: 'failed login',
  ...over,
});

function rejected(text: string) {
  const r = parseAgentFrame(text);
  if (r.ok) throw new Error(`expected a rejection of ${text.slice(0, 80)}`);
  return r;
}

describe('parseAgentFrame', () => {
  describe('valid frames', () => {
    it('hello, minimal and full', () => {
      expect(parseAgentFrame(JSON.stringify(hello))).toEqual({ ok: true, message: hello });
      const full = {
        ...hello,
        agentId: 'agt-1',
        ipAddress: '10.0.0.1',
        labels: { role: 'web', az: 'a' },
        capabilities: { actions: ['restart_service'] },
      };
      expect(parseAgentFrame(JSON.stringify(full))).toEqual({ ok: true, message: full });
    });

    it('heartbeat with and without ts', () => {
      expect(parseAgentFrame('{"type":"heartbeat"}')).toEqual({
        ok: true,
        message: { type: 'heartbeat' },
      });
      expect(parseAgentFrame('{"type":"heartbeat","ts":5}').ok).toBe(true);
    });

    it('metrics with labels, unit and kind', () => {
      const msg = {
        type: 'metrics',
        seq: 7,
        samples: [
          sample(),
          sample({ name: 'disk_usage', labels: { mount: '/' }, unit: '%', kind: 'gauge' }),
          sample({ name: 'http_requests_total', value: 0, kind: 'counter' }),
        ],
      };
      const r = parseAgentFrame(JSON.stringify(msg));
      expect(r.ok).toBe(true);
      if (r.ok) expect(r.message).toEqual(msg);
    });

    it('events with attributes', () => {
      const msg = {
        type: 'events',
        seq: 0,
        events: [event({ attributes: { user: 'root', attempts: 5, blocked: true } })],
      };
      expect(parseAgentFrame(JSON.stringify(msg))).toEqual({ ok: true, message: msg });
    });

    it('exactly MAX_SAMPLES_PER_BATCH samples is allowed', () => {
      const msg = {
        type: 'metrics',
        seq: 1,
        samples: Array.from({ length: MAX_SAMPLES_PER_BATCH }, () => sample()),
      };
      expect(parseAgentFrame(JSON.stringify(msg)).ok).toBe(true);
    });
  });

  describe('rejections', () => {
    it('invalid JSON → 4000 invalid_json', () => {
      for (const text of ['nope', '', '{"type":', "{'type':'heartbeat'}"]) {
        const r = rejected(text);
        expect(r.close).toEqual({ code: 4000, reason: 'invalid_json' });
        expect(r.close).toBe(CLOSE.invalidJson);
      }
    });

    it('a non-object frame → 4001', () => {
      for (const text of ['[]', '42', 'null', '"hello"']) {
        const r = rejected(text);
        expect(r.close.code).toBe(4001);
        expect(r.detail).toBe('a frame is a JSON object');
      }
    });

    it('missing or non-string type → 4001 naming /type', () => {
      for (const text of ['{}', '{"type":5}', '{"seq":1}']) {
        const r = rejected(text);
        expect(r.close).toBe(CLOSE.schema);
        expect(r.detail).toBe('/type: required string');
      }
    });

    it('unknown type → 4004, including names on Object.prototype', () => {
      for (const type of ['bogus', 'welcome', 'constructor', 'toString', 'hasOwnProperty']) {
        const r = rejected(JSON.stringify({ type }));
        expect(r.close).toEqual({ code: 4004, reason: 'unknown_type' });
        expect(r.detail).toBe(`type '${type}' is not a message`);
      }
    });

    it('unknown type names are cut to 32 characters in the detail', () => {
      const r = rejected(JSON.stringify({ type: 'x'.repeat(200) }));
      expect(r.detail).toBe(`type '${'x'.repeat(32)}' is not a message`);
    });

    it('an unknown field → 4001 with its path', () => {
      const top = rejected('{"type":"heartbeat","extra":1}');
      expect(top.close).toEqual({ code: 4001, reason: 'schema_violation' });
      expect(top.detail).toContain('/extra');

      const nested = rejected(
        JSON.stringify({ type: 'metrics', seq: 1, samples: [sample(), sample({ colour: 'red' })] }),
      );
      expect(nested.close.code).toBe(4001);
      expect(nested.detail).toContain('/samples/1/colour');
    });

    it('a missing required field → 4001', () => {
      const noVersion: Partial<typeof hello> = { ...hello };
      delete noVersion.version;
      const r = rejected(JSON.stringify(noVersion));
      expect(r.close.code).toBe(4001);
      expect(r.detail).toContain('/version');
    });

    it('wrong protocol version and bad enum values → 4001', () => {
      // Versions 1 (before facts) and 2 are both taken; anything else is not this protocol.
      expect(parseAgentFrame(JSON.stringify({ ...hello, protocol: 2 })).ok).toBe(true);
      expect(rejected(JSON.stringify({ ...hello, protocol: 3 })).close.code).toBe(4001);
      expect(rejected(JSON.stringify({ ...hello, protocol: 0 })).close.code).toBe(4001);
      expect(rejected(JSON.stringify({ ...hello, agentType: 'toaster' })).close.code).toBe(4001);
      expect(rejected(JSON.stringify({ ...hello, region: 'US_EAST' })).close.code).toBe(4001);
    });

    it('a non-finite value → 4002 non_finite_number with its path', () => {
      const r = rejected(
        '{"type":"metrics","seq":1,"samples":[{"name":"x","value":1e999,"ts":1}]}',
      );
      expect(r.close).toEqual({ code: 4002, reason: 'non_finite_number' });
      expect(r.detail).toBe('/samples/0/value: Infinity is not a finite number');

      const neg = rejected(
        '{"type":"metrics","seq":1,"samples":[{"name":"x","value":1,"ts":1},{"name":"x","value":-1e999,"ts":1}]}',
      );
      expect(neg.close.code).toBe(4002);
      expect(neg.detail).toBe('/samples/1/value: -Infinity is not a finite number');
    });

    it('a "__proto__" key anywhere → 4003 forbidden_key', () => {
      const frames = [
        '{"__proto__":{"admin":true},"type":"heartbeat"}',
        '{"type":"heartbeat","__proto__":{}}',
        '{"type":"metrics","seq":1,"samples":[{"name":"x","value":1,"ts":1,"labels":{"__proto__":"y"}}]}',
        '{"type":"hello","protocol":1,"hostname":"h","region":"r","agentType":"system","version":"1","labels":{"__proto__":"x"}}',
      ];
      for (const text of frames) {
        const r = rejected(text);
        expect(r.close).toEqual({ code: 4003, reason: 'forbidden_key' });
        expect(r.detail).toBe('key "__proto__" is not allowed');
      }
    });

    it('a "__proto__" key spelled with JSON escapes is refused too', () => {
      // JSON.parse decodes "\u005f_proto__" to an own "__proto__" key, the same as the plain
      // spelling. The text pre-check misses it, so the schema must refuse it.
      const frames = [
        '{"type":"metrics","seq":1,"samples":[{"name":"x","value":1,"ts":1,"labels":{"\\u005f_proto__":"y"}}]}',
        '{"type":"heartbeat","\\u005f\\u005fproto\\u005f\\u005f":{}}',
        '{"type":"events","seq":1,"events":[{"ts":1,"category":"log","severity":"info","source":"s","message":"m","attributes":{"\\u005f_proto__":1}}]}',
      ];
      for (const text of frames) {
        expect(Object.keys(JSON.parse(text) as object).length).toBeGreaterThan(0);
        const r = rejected(text);
        expect([CLOSE.forbiddenKey.code, CLOSE.schema.code]).toContain(r.close.code);
        expect(r.detail).toContain('__proto__');
      }
    });

    it('"__proto__" as a string VALUE is data, not a key, and is accepted', () => {
      // e.g. a security agent reporting a prototype-pollution attempt it blocked
      const msg = {
        type: 'events',
        seq: 3,
        events: [event({ message: '__proto__', attributes: { payload: '__proto__' } })],
      };
      expect(parseAgentFrame(JSON.stringify(msg))).toEqual({ ok: true, message: msg });
    });

    it('label names starting with an underscore are rejected', () => {
      const r = rejected(
        JSON.stringify({
          type: 'metrics',
          seq: 1,
          samples: [sample({ labels: { _private: 'x' } })],
        }),
      );
      expect(r.close.code).toBe(4001);
      expect(r.detail).toContain('/samples/0/labels/_private');
    });

    it('label values with control characters are rejected', () => {
      const r = rejected(
        JSON.stringify({
          type: 'metrics',
          seq: 1,
          samples: [sample({ labels: { mount: 'a\u0001b' } })],
        }),
      );
      expect(r.close.code).toBe(4001);
      expect(r.detail).toContain('/samples/0/labels/mount');
    });

    it('metric names starting with an underscore are rejected', () => {
      const r = rejected(
        JSON.stringify({ type: 'metrics', seq: 1, samples: [sample({ name: '_hidden' })] }),
      );
      expect(r.close.code).toBe(4001);
      expect(r.detail).toContain('/samples/0/name');
    });

    it('more than MAX_SAMPLES_PER_BATCH samples are rejected', () => {
      expect(MAX_SAMPLES_PER_BATCH).toBe(5000);
      const msg = {
        type: 'metrics',
        seq: 1,
        samples: Array.from({ length: MAX_SAMPLES_PER_BATCH + 1 }, () => sample()),
      };
      const r = rejected(JSON.stringify(msg));
      expect(r.close.code).toBe(4001);
      expect(r.detail).toContain('/samples');
    });

    it('an empty batch is rejected', () => {
      expect(rejected('{"type":"metrics","seq":1,"samples":[]}').close.code).toBe(4001);
      expect(rejected('{"type":"events","seq":1,"events":[]}').close.code).toBe(4001);
    });

    it('a negative or fractional seq is rejected', () => {
      const s = JSON.stringify([sample()]);
      expect(rejected(`{"type":"metrics","seq":-1,"samples":${s}}`).close.code).toBe(4001);
      expect(rejected(`{"type":"metrics","seq":1.5,"samples":${s}}`).close.code).toBe(4001);
    });
  });
});

describe('closeReason', () => {
  it('keeps a short reason whole', () => {
    expect(closeReason(CLOSE.schema, '/extra: Unexpected property')).toBe(
      'schema_violation: /extra: Unexpected property',
    );
  });

  it('a reason of exactly 123 bytes is kept whole', () => {
    const label = 'schema_violation: ';
    const detail = 'd'.repeat(123 - label.length);
    const r = closeReason(CLOSE.schema, detail);
    expect(r).toBe(label + detail);
    expect(Buffer.byteLength(r)).toBe(123);
  });

  it('trims a long ASCII detail to 123 bytes, ending in ...', () => {
    const r = closeReason(CLOSE.schema, 'x'.repeat(500));
    expect(Buffer.byteLength(r)).toBe(123);
    expect(r.startsWith('schema_violation: xxx')).toBe(true);
    expect(r.endsWith('...')).toBe(true);
  });

  it('trims multi-byte text to at most 123 bytes', () => {
    for (const ch of ['é', '€', '日本', '😀']) {
      const r = closeReason(CLOSE.invalidJson, ch.repeat(200));
      expect(Buffer.byteLength(r)).toBeLessThanOrEqual(123);
      expect(r.startsWith('invalid_json: ')).toBe(true);
      expect(r.endsWith('...')).toBe(true);
    }
  });

  it('does not cut a character in half', () => {
    // Every alignment of a 4-byte (surrogate pair) character against the byte limit.
    for (const pad of ['', 'a', 'ab', 'abc']) {
      const r = closeReason(CLOSE.invalidJson, pad + '😀'.repeat(200));
      expect(Buffer.byteLength(r)).toBeLessThanOrEqual(123);
      expect(r, `pad '${pad}'`).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
      expect(Buffer.from(r).toString('utf8'), `pad '${pad}'`).toBe(r);
    }
  });
});
