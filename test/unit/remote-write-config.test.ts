// config.json's remoteWrite: real files in a temp dir; a bad field is named.
import { describe, expect, it } from 'vitest';
import { ConfigError, defaultConfig } from '../../electron/core/config.js';
import { configFileReader } from '../helpers/config-file.js';
import { remoteWriteTarget } from '../../electron/core/interop/remote-write-out/config.js';

const read = configFileReader();

describe('config.json remoteWrite', () => {
  it('defaults to none; fills in 4 shards, 2,000 samples a request, 30 s; credentials as headers', async () => {
    expect(defaultConfig().remoteWrite).toEqual([]);
    const file = await read({
      remoteWrite: [
        { url: 'http://127.0.0.1:8428/api/v1/write' },
        {
          url: 'https://u:p@mimir.example.net/api/v1/push?x=1',
          basicAuth: { username: 'tenant', password: 'pw' },
          headers: { 'X-Scope-OrgID': 'tenant' },
          maxShards: 16,
          batchSamples: 500,
          timeoutMs: 1000,
        },
      ],
    });
    const [vm, mimir] = defaultConfig({ ...file }).remoteWrite.map(remoteWriteTarget);
    expect(vm).toMatchObject({ maxShards: 4, batchSamples: 2_000, timeoutMs: 30_000, headers: {} });
    expect(mimir).toMatchObject({
      maxShards: 16,
      batchSamples: 500,
      timeoutMs: 1_000,
      label: 'https://mimir.example.net/api/v1/push',
      headers: {
        'X-Scope-OrgID': 'tenant',
        Authorization: `Basic ${Buffer.from('tenant:pw').toString('base64')}`,
      },
    });
    expect(vm!.id).not.toBe(mimir!.id);
    expect(remoteWriteTarget({ url: 'http://127.0.0.1:8428/api/v1/write' }).id).toBe(vm!.id);
  });

  it.each([
    [{ remoteWrite: [{ url: 'ftp://vm:21' }] }, /field 'remoteWrite\/0\/url'/],
    [{ remoteWrite: [{ url: 'http://vm', maxShards: 17 }] }, /field 'remoteWrite\/0\/maxShards'/],
    [{ remoteWrite: [{ url: 'http://vm', maxShards: 0 }] }, /field 'remoteWrite\/0\/maxShards'/],
    [
      { remoteWrite: [{ url: 'http://vm', batchSamples: 0 }] },
      /field 'remoteWrite\/0\/batchSamples'/,
    ],
    [{ remoteWrite: [{ url: 'http://vm', timeoutMs: 5 }] }, /field 'remoteWrite\/0\/timeoutMs'/],
    [{ remoteWrite: [{ url: 'http://vm', token: 'x' }] }, /field 'remoteWrite\/0\/token'/],
    [
      { remoteWrite: [{ url: 'http://vm', headers: { 'X-A': 'a\r\nB: b' } }] },
      /field 'remoteWrite\/0\/headers\/X-A'/,
    ],
    [
      { remoteWrite: [{ url: 'http://vm', headers: { authorization: 'x' } }] },
      /field 'remoteWrite\/0\/headers\/authorization' is set by remote write itself/,
    ],
    [
      {
        remoteWrite: [
          { url: 'http://vm', bearer: 'x', basicAuth: { username: 'u', password: 'p' } },
        ],
      },
      /field 'remoteWrite\/0' give basicAuth or bearer, not both/,
    ],
    [
      { remoteWrite: [{ url: 'http://vm/w' }, { url: 'http://vm/w' }] },
      /field 'remoteWrite\/1\/url' is listed twice/,
    ],
  ])('refuses %j, naming the field', async (content, message) => {
    const err = await read(content).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(message);
  });
});
