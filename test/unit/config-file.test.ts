// config.json's maxAgents: validated on start, and a bad value is named.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, defaultConfig, readConfigFile } from '../../electron/core/config.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'meridian-config-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function read(content: unknown) {
  const path = join(dir, 'config.json');
  await writeFile(path, JSON.stringify(content));
  return readConfigFile(path);
}

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
