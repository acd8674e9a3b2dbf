// config.json's maxAgents: validated on start, and a bad value is named.
import { describe, expect, it } from 'vitest';
import { ConfigError, defaultConfig } from '../../electron/core/config.js';
import { configFileReader } from '../helpers/config-file.js';

const read = configFileReader();

describe('config.json maxAgents', () => {
  it('defaults to 10,000 and takes a positive integer', async () => {
    expect(defaultConfig().maxAgents).toBe(10_000);
    const file = await read({ maxAgents: 25_000 });
    expect(defaultConfig({ ...file }).maxAgents).toBe(25_000);
  });

  it.each([0, -5, 1.5, 'many', 2_000_000])('refuses %j, naming the field', async (value) => {
    const err = await read({ maxAgents: value }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/field 'maxAgents'/);
  });
});
