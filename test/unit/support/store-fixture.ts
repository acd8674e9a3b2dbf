import { afterEach, beforeEach } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Shared set-up for the on-disk store unit tests (store-checkpoint, store-metric-store). */

/** Hour-aligned. */
export const T0 = 1_699_999_200_000;

/**
 * A fresh temporary directory for each test of the calling file, removed after it.
 * Call at the top level of a test file; the returned getter gives the current test's directory.
 */
export function useTempDir(prefix = 'meridian-checkpoint-'): () => string {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), prefix));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  return () => dir;
}
