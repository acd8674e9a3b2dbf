// The agent's own keys, kept in <state-dir>/agent-key.json (0600): one per console (by
// ingest URL), each bound to the agent id that console enrolled it as. Keyed by URL so an
// agent pointed at another console enrols there instead of presenting a key that console
// never issued. Written atomically (temp file, fsync, rename): a crash leaves the old file or
// the new one, never half of one.
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

/** Read `{ "<ingest url>": credential }`; an absent file is empty. */
export function readKeyFile(path: string): Map<string, AgentCredential> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw err;
  }
  const raw = JSON.parse(text) as Record<string, unknown>;
  const out = new Map<string, AgentCredential>();
  for (const [url, c] of Object.entries(raw)) {
    if (!isCredential(c)) throw new Error(`${path}: the entry for ${url} is not an agent key`);
    out.set(url, c);
  }
  return out;
}

/** Write the map 0600, atomically. */
export function writeKeyFile(path: string, keys: Map<string, AgentCredential>): void {
  const temp = `${path}.tmp`;
  const fd = openSync(temp, 'w', 0o600);
  try {
    writeSync(fd, `${JSON.stringify(Object.fromEntries(keys), null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, path);
}

export class FileCredentialStore implements CredentialStore {
  readonly where: string;

  constructor(
    private readonly dir: string,
    /** The console's ingest URL: the key is this console's. */
    private readonly url: string,
    /** A relay keeps its own key in relay-key.json. */
    file = AGENT_KEY_FILE,
  ) {
    this.where = join(dir, file);
  }

  load(): AgentCredential | null {
    return readKeyFile(this.where).get(this.url) ?? null;
  }

  save(c: AgentCredential): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const keys = readKeyFile(this.where);
    keys.set(this.url, c);
    writeKeyFile(this.where, keys);
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
