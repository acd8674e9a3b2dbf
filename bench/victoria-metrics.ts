// A real VictoriaMetrics (Debian's `victoria-metrics`) for the remote-write bench and tests
// (test/helpers/victoria-metrics.ts re-exports it): its own data dir, an ephemeral loopback
// port, ready when /health answers, stopped by its PID and startable again on the same port and
// data dir (an outage, not a new store).
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function onPath(...names: string[]): string | null {
  for (const name of names)
    for (const dir of (process.env.PATH ?? '').split(':').filter(Boolean)) {
      try {
        accessSync(join(dir, name), constants.X_OK);
        return join(dir, name);
      } catch {
        // not here
      }
    }
  return null;
}

export const VICTORIA_METRICS = onPath('victoria-metrics', 'victoria-metrics-prod');

export interface SeriesExport {
  metric: Record<string, string>;
  values: number[];
  timestamps: number[];
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export class VictoriaMetrics {
  private child: ChildProcess | null = null;
  private out = '';

  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  /** A new store; `running: false` leaves it stopped (a destination that is down at first). */
  static async start(opts: { running?: boolean } = {}): Promise<VictoriaMetrics> {
    const vm = new VictoriaMetrics(await mkdtemp(join(tmpdir(), 'meridian-vm-')), await freePort());
    if (opts.running !== false) await vm.restart();
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
    const deadline = performance.now() + 30_000;
    for (;;) {
      if (gone) throw new Error(`victoria-metrics exited: ${this.out.slice(-2000)}`);
      const res = await fetch(`${this.url}/health`).catch(() => null);
      if (res?.status === 200) return;
      if (performance.now() > deadline) throw new Error('victoria-metrics not ready after 30 s');
      await new Promise((r) => setTimeout(r, 20));
    }
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
