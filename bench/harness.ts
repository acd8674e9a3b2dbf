import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { defaultConfig, type CoreConfig } from '../electron/core/config.js';
import { createCore, type MonitoringCore } from '../electron/core/core.js';
import { silentLogger } from '../electron/core/logger.js';

export const AGENT_TOKEN = 'bench-agent-token';
export const SESSION_TOKEN = 'bench-session-token';

export interface Figure {
  name: string;
  value: string;
  target?: string;
  met?: boolean;
  note?: string;
}

export interface Section {
  title: string;
  command: string;
  figures: Figure[];
  /** What the figures mean where a number alone would mislead; numbers in it come from this run. */
  notes?: string[];
}

/**
 * `quick`: every section at a small size (`npm run bench -- --quick`), to check the bench and
 * its report, not to measure. Targets that hold only at the full size are left out then.
 */
export interface BenchOptions {
  quick: boolean;
}

/** The defaults a bench core runs with (benchCore starts from them too). */
export const CORE_DEFAULTS = defaultConfig();

/**
 * A real core with persistence on, on ephemeral ports, in a temp data dir (removed by `done`)
 * or in `overrides.dataDir` (kept: it is the caller's).
 */
export async function benchCore(
  overrides: Partial<CoreConfig> = {},
): Promise<{ core: MonitoringCore; ingestUrl: string; apiUrl: string; done: () => Promise<void> }> {
  const ownDir = overrides.dataDir === undefined;
  const dataDir = overrides.dataDir ?? (await mkdtemp(join(tmpdir(), 'meridian-bench-')));
  const core = createCore(
    defaultConfig({
      dataDir,
      apiPort: 0,
      ingestPort: 0,
      agentToken: AGENT_TOKEN,
      sessionToken: SESSION_TOKEN,
      ingestTls: 'off',
      ...overrides,
    }),
    { logger: silentLogger },
  );
  const addr = await core.start();
  return {
    core,
    ingestUrl: addr.ingestUrl,
    apiUrl: addr.apiUrl,
    done: async () => {
      await core.stop();
      if (ownDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A counter (or gauge) of the core's /metrics registry, unlabelled; 0 when absent. */
export async function counterValue(core: MonitoringCore, name: string): Promise<number> {
  const metric = await core.metrics.registry.getSingleMetricAsString(name);
  const line = metric.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.split(' ')[1]) : 0;
}

/** Poll `fn` every `everyMs` until true; throws naming `what` after `timeoutMs`. */
export async function waitUntil(
  fn: () => boolean,
  timeoutMs: number,
  what: string,
  everyMs = 20,
): Promise<void> {
  const start = performance.now();
  while (!fn()) {
    if (performance.now() - start > timeoutMs) throw new Error(`bench: no ${what} in time`);
    await sleep(everyMs);
  }
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export const ms = (v: number) => `${v < 10 ? v.toFixed(2) : v.toFixed(0)} ms`;
export const sleep = (t: number) => new Promise((r) => setTimeout(r, t));

export const coreCount = () => cpus().length;

/** 1234567 → '1,234,567'. */
export const count = (n: number) => Math.round(n).toLocaleString('en-US');

export function machine(): string {
  const cpu = cpus();
  return `${cpu[0]?.model ?? 'unknown CPU'} × ${cpu.length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}, ${process.platform} ${process.arch}`;
}
