// The agent's own key, kept in <state-dir>/agent-key.json (0600), bound to the agent id the
// console enrolled it as. Written atomically (temp file, fsync, rename): a crash leaves the
// old file or the new one, never half of one.
import {
  closeSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  writeSync,
  mkdirSync,
} from 'node:fs';
import { join } from 'node:path';

export const AGENT_KEY_FILE = 'agent-key.json';

export interface AgentCredential {
  agentId: string;
  keyId: string;
  key: string;
}

/** Where an Uplink keeps its credential (a file for real agents, memory for the simulator). */
export interface CredentialStore {
  load(): AgentCredential | null;
  save(c: AgentCredential): void;
  /** For messages: where the credential lives. */
  readonly where: string;
}

function isCredential(raw: unknown): raw is AgentCredential {
  if (typeof raw !== 'object' || raw === null) return false;
  const r = raw as Record<string, unknown>;
  return typeof r.agentId === 'string' && typeof r.keyId === 'string' && typeof r.key === 'string';
}

export class FileCredentialStore implements CredentialStore {
  readonly where: string;

  constructor(private readonly dir: string) {
    this.where = join(dir, AGENT_KEY_FILE);
  }

  load(): AgentCredential | null {
    let text: string;
    try {
      text = readFileSync(this.where, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    const raw: unknown = JSON.parse(text);
    if (!isCredential(raw)) throw new Error(`${this.where} is not an agent key file`);
    return raw;
  }

  save(c: AgentCredential): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const temp = `${this.where}.tmp`;
    const fd = openSync(temp, 'w', 0o600);
    try {
      writeSync(fd, `${JSON.stringify(c)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, this.where);
  }
}

export class MemoryCredentialStore implements CredentialStore {
  readonly where = 'memory';
  private credential: AgentCredential | null = null;
  load(): AgentCredential | null {
    return this.credential;
  }
  save(c: AgentCredential): void {
    this.credential = c;
  }
}
