import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BenchOptions, Section } from './harness.js';

const CHILD = fileURLToPath(new URL('./section-child.js', import.meta.url));

/** Run a section of section-child.ts in a fresh Node process (with --expose-gc) and return it. */
export function isolated(name: string): (o: BenchOptions) => Promise<Section> {
  return ({ quick }) =>
    new Promise((resolve, reject) => {
      const child = spawn(
        process.execPath,
        // The parent's V8 flags too (npm run bench starts it with the console's).
        [...process.execArgv, '--expose-gc', CHILD, name, ...(quick ? ['--quick'] : [])],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.on('error', reject);
      child.on('exit', (code) => {
        const last = out.trim().split('\n').at(-1) ?? '';
        if (code !== 0) return reject(new Error(`bench section ${name} exited ${code}`));
        try {
          resolve(JSON.parse(last) as Section);
        } catch {
          reject(new Error(`bench section ${name} printed no result`));
        }
      });
    });
}
