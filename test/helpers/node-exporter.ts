// Debian's prometheus-node-exporter (installed by .ci/run) as a real process on a free
// loopback port in a temp dir: no systemd, stopped by its PID.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import { waitFor } from './core.js';

/** The binary on PATH (or where Debian puts it), or null when it is not installed. */
export function nodeExporterBinary(): string | null {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/bin', '/usr/sbin'];
  for (const dir of dirs) {
    for (const name of ['prometheus-node-exporter', 'node_exporter']) {
      const path = join(dir, name);
      if (dir && existsSync(path)) return path;
    }
  }
  return null;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface NodeExporter {
  url: string;
  pid: number;
  child: ChildProcess;
  /** Its stderr so far (node_exporter logs there). */
  log(): string;
  /** SIGTERM by PID, and wait for the exit. */
  stop(): Promise<void>;
}

/** Start it and wait until /metrics answers; a port taken in between is retried. */
export async function startNodeExporter(binary: string, cwd: string): Promise<NodeExporter> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const child = spawn(binary, [`--web.listen-address=127.0.0.1:${port}`], {
      cwd,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let log = '';
    child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    const url = `http://127.0.0.1:${port}/metrics`;
    const up = await waitFor(
      async () => {
        if (child.exitCode !== null) return 'exited';
        const res = await fetch(url).catch(() => null);
        if (!res) return false;
        await res.text();
        return res.ok ? 'up' : false;
      },
      undefined,
      `node_exporter answering on ${url}`,
    );
    if (up === 'exited') {
      if (attempt < 3) continue;
      throw new Error(`node_exporter exited: ${log}`);
    }
    return {
      url,
      pid: child.pid!,
      child,
      log: () => log,
      stop: async () => {
        if (child.exitCode === null && child.signalCode === null)
          process.kill(child.pid!, 'SIGTERM');
        await exited;
      },
    };
  }
}
