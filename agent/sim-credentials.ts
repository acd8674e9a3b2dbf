// The simulator's agent keys: one file for all its virtual agents (<state-dir>/sim-keys.json,
// 0600), keyed by region/hostname, so a simulator run again against the same console
// reconnects its agents with their keys instead of being refused as impostors. Without a
// directory (tests), keys live in memory for the run.
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import type { AgentCredential, CredentialStore } from './credential-file.js';

export const SIM_KEYS_FILE = 'sim-keys.json';

export class SimCredentials {
  private readonly keys = new Map<string, AgentCredential>();
  private readonly path: string | null;

  constructor(dir: string | null) {
    this.path = dir ? join(dir, SIM_KEYS_FILE) : null;
    if (!dir || !this.path) return;
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    try {
      const raw = JSON.parse(readFileSync(this.path, 'utf8')) as Record<string, AgentCredential>;
      for (const [k, v] of Object.entries(raw)) this.keys.set(k, v);
    } catch {
      // No file yet, or one this run cannot read: its agents enrol afresh.
    }
  }

  /** The store of one virtual agent. */
  storeFor(name: string): CredentialStore {
    return {
      where: this.path ?? 'memory',
      load: () => this.keys.get(name) ?? null,
      save: (c) => {
        this.keys.set(name, c);
        this.write();
      },
    };
  }

  private write(): void {
    if (!this.path) return;
    const temp = `${this.path}.tmp`;
    const fd = openSync(temp, 'w', 0o600);
    try {
      writeSync(fd, JSON.stringify(Object.fromEntries(this.keys)));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, this.path);
  }
}
