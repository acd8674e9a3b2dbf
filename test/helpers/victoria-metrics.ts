// A real VictoriaMetrics (Debian's `victoria-metrics`) for remote-write tests and the bench:
// its own data dir, an ephemeral loopback port, ready when /health answers, stopped by its PID
// and startable again on the same port and data dir (an outage, not a new store).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from './core.js';
import { findProgram, freePort } from './real-program.js';

export const VICTORIA_METRICS = findProgram('victoria-metrics', 'victoria-metrics-prod');

export interface SeriesExport {
  metric: Record<string, string>;
  values: number[];
  timestamps: number[];
}

export class VictoriaMetrics {
  private child: ChildProcess | null = null;
  private out = '';

  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  static async start(): Promise<VictoriaMetrics> {
    const vm = new VictoriaMetrics(await mkdtemp(join(tmpdir(), 'meridian-vm-')), await freePort());
    await vm.restart();
    return vm;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get writeUrl(): string {
    return `${this.url}/api/v1/write`;
  }

  /** Start (again) on the same port and data dir; resolves once /health answers. */
  async restart(): Promise<void> {
    const child = spawn(
      VICTORIA_METRICS!,
      [
        `-storageDataPath=${join(this.dir, 'data')}`,
        `-httpListenAddr=127.0.0.1:${this.port}`,
        '-retentionPeriod=10y',
        '-loggerLevel=ERROR',
      ],
      { cwd: this.dir, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child = child;
    child.stdout!.on('data', (d: Buffer) => (this.out = (this.out + d.toString()).slice(-20_000)));
    child.stderr!.on('data', (d: Buffer) => (this.out = (this.out + d.toString()).slice(-20_000)));
    let gone = false;
    child.once('exit', () => (gone = true));
    await waitFor(
      async () => {
        if (gone) throw new Error(`victoria-metrics exited: ${this.out.slice(-2000)}`);
        const res = await fetch(`${this.url}/health`).catch(() => null);
        return res?.status === 200;
      },
      30_000,
      'victoria-metrics to be ready',
    );
  }

  /** Stop by PID (SIGTERM: VictoriaMetrics flushes what it acked) and wait for the exit. */
  async kill(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null || child.pid === undefined) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    process.kill(child.pid, 'SIGTERM');
    await exited;
  }

  async stop(): Promise<void> {
    await this.kill();
    await rm(this.dir, { recursive: true, force: true });
  }

  /** Every series matching `selector`, all of its samples (raw, via /api/v1/export). */
  async export(selector: string): Promise<SeriesExport[]> {
    const q = new URLSearchParams({ 'match[]': selector, start: '0' });
    const res = await fetch(`${this.url}/api/v1/export?${q}`);
    if (res.status !== 200) throw new Error(`export: HTTP ${res.status} ${await res.text()}`);
    return (await res.text())
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as SeriesExport);
  }

  output(): string {
    return this.out;
  }
}
