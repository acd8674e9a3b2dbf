// config.json in a temp dir for the config-file tests: a fresh dir per test, removed after.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { readConfigFile } from '../../electron/core/config.js';

/** Register the temp dir hooks; the returned function writes `content` and reads it back. */
export function configFileReader(): (content: unknown) => ReturnType<typeof readConfigFile> {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'meridian-config-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  return async (content) => {
    const path = join(dir, 'config.json');
    await writeFile(path, JSON.stringify(content));
    return readConfigFile(path);
  };
}
