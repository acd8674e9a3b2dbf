// config.json's alertmanagers and alertmanagerResendMs: real files in a temp dir.
import { describe, expect, it } from 'vitest';
import { ConfigError, defaultConfig } from '../../electron/core/config.js';
import { configFileReader } from '../helpers/config-file.js';

const read = configFileReader();

describe('config.json alertmanagers', () => {
  it('defaults to none, resent every minute; takes URLs with a timeout and credentials', async () => {
    expect(defaultConfig()).toMatchObject({ alertmanagers: [], alertmanagerResendMs: 60_000 });
    const file = await read({
      alertmanagers: [
        { url: 'http://127.0.0.1:9093' },
        { url: 'https://am.example.net/prefix', timeoutMs: 3000, bearer: 'tok' },
        { url: 'http://am-2:9093', basicAuth: { username: 'm', password: 'p' } },
      ],
      alertmanagerResendMs: 30_000,
    });
    expect(defaultConfig({ ...file }).alertmanagers).toHaveLength(3);
    expect(defaultConfig({ ...file }).alertmanagerResendMs).toBe(30_000);
  });

  it.each([
    [{ alertmanagers: [{ url: 'ftp://am:21' }] }, /field 'alertmanagers\/0\/url'/],
    [{ alertmanagers: [{ url: 'am:9093' }] }, /field 'alertmanagers\/0\/url'/],
    [
      { alertmanagers: [{ url: 'http://am', timeoutMs: 5 }] },
      /field 'alertmanagers\/0\/timeoutMs'/,
    ],
    [{ alertmanagers: [{ url: 'http://am', token: 'x' }] }, /field 'alertmanagers\/0\/token'/],
    [
      {
        alertmanagers: [
          { url: 'http://am', bearer: 'x', basicAuth: { username: 'u', password: 'p' } },
        ],
      },
      /field 'alertmanagers\/0' give basicAuth or bearer, not both/,
    ],
    [
      { alertmanagers: [{ url: 'http://am:9093' }, { url: 'http://am:9093/' }] },
      /field 'alertmanagers\/1\/url' is listed twice/,
    ],
    [{ alertmanagerResendMs: 10 }, /field 'alertmanagerResendMs'/],
  ])('refuses %j, naming the field', async (content, why) => {
    const err = await read(content).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(why);
  });
});
