// The simulator's agent keys: one file for all its virtual agents (<state-dir>/sim-keys.json,
// 0600), keyed by ingest URL and region/hostname, so a simulator run again against the same
// console reconnects its agents with their keys instead of being refused as impostors.
// Without a directory (tests), keys live in memory for the run.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  readKeyFile,
  writeKeyFile,
  type AgentCredential,
  type CredentialStore,
} from './credential-file.js';

export const SIM_KEYS_FILE = 'sim-keys.json';

export class SimCredentials {
  private readonly keys: Map<string, AgentCredential>;
  private readonly path: string | null;

  constructor(dir: string | null) {
    this.path = dir ? join(dir, SIM_KEYS_FILE) : null;
    if (dir) mkdirSync(dir, { recursive: true, mode: 0o700 });
    let keys = new Map<string, AgentCredential>();
    try {
      if (this.path) keys = readKeyFile(this.path);
    } catch {
      // A file this run cannot read: its agents enrol afresh (and it is rewritten).
    }
    this.keys = keys;
  }

  /** The store of one virtual agent. */
  storeFor(url: string, name: string): CredentialStore {
    const id = `${url} ${name}`;
    return {
      where: this.path ?? 'memory',
      load: () => this.keys.get(id) ?? null,
      save: (c) => {
        this.keys.set(id, c);
        if (this.path) writeKeyFile(this.path, this.keys);
      },
    };
  }
}
