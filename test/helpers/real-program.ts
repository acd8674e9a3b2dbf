// A real program from Debian (prometheus, prometheus-alertmanager) run by a test: its own temp
// dir, an ephemeral loopback port, ready when its /-/ready answers, stopped by its PID.
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from './core.js';

/** The first of `names` on the PATH (or an absolute path that exists), else null. */
export function findProgram(...names: string[]): string | null {
  const dirs = (process.env.PATH ?? '').split(':').filter(Boolean);
  for (const name of names) {
    for (const path of name.startsWith('/') ? [name] : dirs.map((d) => join(d, name))) {
      try {
        accessSync(path, constants.X_OK);
        return path;
      } catch {
        // not here
      }
    }
  }
  return null;
}

/** A loopback port free right now (the program binds it just after). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface RealProgram {
  child: ChildProcess;
  url: string;
  port: number;
  dir: string;
  output(): string;
  stop(): Promise<void>;
}

/**
 * Start `bin` with `args(dir, port)` in a fresh temp dir and wait until `GET /-/ready` answers
 * 200. Up to 3 tries, in case another process took the port between freePort and the bind;
 * one with `opts.port` (a restart on the same address).
 */
export async function startProgram(
  bin: string,
  args: (dir: string, port: number) => string[],
  prepare: (dir: string, port: number) => Promise<void> = async () => {},
  opts: { port?: number } = {},
): Promise<RealProgram> {
  let lastError: unknown;
  for (let attempt = 0; attempt < (opts.port ? 1 : 3); attempt++) {
    const dir = await mkdtemp(join(tmpdir(), 'meridian-real-'));
    const port = opts.port ?? (await freePort());
    await prepare(dir, port);
    const child = spawn(bin, args(dir, port), { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
    child.stderr!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    let gone = false;
    void exited.then(() => (gone = true));
    const url = `http://127.0.0.1:${port}`;
    const stop = async () => {
      if (!gone && child.pid !== undefined) process.kill(child.pid, 'SIGTERM');
      await exited;
      await rm(dir, { recursive: true, force: true });
    };
    try {
      await waitFor(
        async () => {
          if (gone) throw new Error(`${bin} exited: ${out.slice(-2000)}`);
          const res = await fetch(`${url}/-/ready`).catch(() => null);
          return res?.status === 200;
        },
        30_000,
        `${bin} to be ready`,
      );
      return { child, url, port, dir, output: () => out, stop };
    } catch (err) {
      lastError = err;
      await stop();
    }
  }
  throw lastError;
}
