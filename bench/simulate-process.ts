// Background agents for a bench: the real `meridian simulate` in its own process, so their
// work does not share the event loop of what the bench measures.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from '../electron/core/version.js';
import { AGENT_TOKEN, sleep } from './harness.js';

export interface SimulateProcess {
  stop(): Promise<void>;
}

/** N simulated agents without scripted incidents, reporting every second; resolves once connected. */
export async function spawnSimulate(
  ingestUrl: string,
  agents: number,
  seed: number,
): Promise<SimulateProcess> {
  const child = spawn(
    process.execPath,
    [
      join(packageRoot(), 'bin', 'meridian.js'),
      'simulate',
      '--url',
      ingestUrl,
      '--token',
      AGENT_TOKEN,
      '--agents',
      String(agents),
      '--seed',
      String(seed),
      '--no-incidents',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const deadline = performance.now() + 90_000;
  while (!/agents connected/.test(out)) {
    if (child.exitCode !== null || performance.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`meridian simulate did not connect its agents: ${out}`);
    }
    await sleep(50);
  }
  return {
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
