// Per-agent keys: <data-dir>/agent-keys.ndjson, a RecordLog keyed by key id (append-only
// lines: issue, use, revoke). Only SHA-256 of each key is kept. A key is 32 random bytes,
// 256 bits of entropy: nobody can search that space, so a slow hash (scrypt) would add no
// protection for a stolen file and would cost a few tens of milliseconds of CPU on every
// agent connection — a reconnect storm of thousands of agents would stall the console.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { join } from 'node:path';
import { AGENT_KEY_PREFIX } from '../../../shared/protocol-codes.js';
import type { AgentKeyView } from '../../../shared/credentials.js';
import { systemClock, type Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import { RecordLog } from '../state/record-log.js';

export const AGENT_KEYS_FILE = 'agent-keys.ndjson';

interface KeyRecord extends AgentKeyView {
  /** SHA-256 of the key's 32 bytes, hex. */
  hash: string;
}

/** What a presented key turned out to be. */
export type KeyCheck =
  | { ok: true; keyId: string; agentId: string }
  | { ok: false; reason: 'unknown' | 'revoked'; keyId: string | null };

/** A freshly issued key: the only moment the console holds the key itself. */
export interface IssuedKey {
  keyId: string;
  key: string;
}

/** Last-use times are written at most this often per key (a flapping agent is no write storm). */
const LAST_USED_WRITE_MS = 60_000;

const hashOf = (key: Buffer) => createHash('sha256').update(key).digest();

function isRecord(raw: unknown, key: string): raw is KeyRecord {
  if (typeof raw !== 'object' || raw === null) return false;
  const r = raw as Record<string, unknown>;
  return (
    r.keyId === key &&
    typeof r.agentId === 'string' &&
    typeof r.hash === 'string' &&
    /^[0-9a-f]{64}$/.test(r.hash) &&
    typeof r.createdAt === 'number' &&
    (r.lastUsedAt === null || typeof r.lastUsedAt === 'number') &&
    (r.revokedAt === null || typeof r.revokedAt === 'number') &&
    (r.revokedBy === null || typeof r.revokedBy === 'string')
  );
}

/** Split `mak.<keyId>.<secret>`; null for anything else (the enrolment secret, garbage). */
export function parseKeyToken(token: string): { keyId: string; secret: Buffer } | null {
  if (!token.startsWith(AGENT_KEY_PREFIX)) return null;
  const m = /^([a-z0-9-]{1,64})\.([A-Za-z0-9_-]{43})$/.exec(token.slice(AGENT_KEY_PREFIX.length));
  if (!m) return null;
  const secret = Buffer.from(m[2]!, 'base64url');
  return secret.length === 32 ? { keyId: m[1]!, secret } : null;
}

export class AgentKeys {
  private readonly log: RecordLog<KeyRecord>;
  private readonly records = new Map<string, KeyRecord>();
  private readonly byAgent = new Map<string, Set<string>>();
  private readonly lastWritten = new Map<string, number>();

  constructor(
    dataDir: string,
    private readonly deps: { clock: Clock; logger: Logger; ids: (prefix: string) => string },
  ) {
    this.log = new RecordLog<KeyRecord>({
      path: join(dataDir, AGENT_KEYS_FILE),
      // Issued keys must be on disk before the welcome hands them out; real-time coalescing,
      // as the audit log does, so a manual test clock never holds an enrolment up.
      clock: systemClock,
      parse: (raw, key) => (isRecord(raw, key) ? raw : null),
      flushMs: 5,
      onError: (err) => deps.logger.error('agent key log write failed', { error: err.message }),
    });
  }

  async open(): Promise<void> {
    const { records, stats } = await this.log.open();
    for (const r of records.values()) this.index(r);
    if (stats.corrupt > 0 || stats.invalid > 0)
      this.deps.logger.warn('agent key log lines skipped', {
        corrupt: stats.corrupt,
        invalid: stats.invalid,
      });
  }

  close(): Promise<void> {
    return this.log.close();
  }

  /** A new key for this agent; resolves once its record is durable. */
  async issue(agentId: string): Promise<IssuedKey> {
    const key = randomBytes(32);
    const record: KeyRecord = {
      keyId: this.deps.ids('key').toLowerCase(),
      agentId,
      hash: hashOf(key).toString('hex'),
      createdAt: this.deps.clock.now(),
      lastUsedAt: null,
      revokedAt: null,
      revokedBy: null,
    };
    this.index(record);
    await this.log.upsert(record.keyId, record);
    return { keyId: record.keyId, key: key.toString('base64url') };
  }

  /** Check a presented key token (constant-time on the hash). */
  check(token: string): KeyCheck {
    const parsed = parseKeyToken(token);
    if (!parsed) return { ok: false, reason: 'unknown', keyId: null };
    const record = this.records.get(parsed.keyId);
    const given = hashOf(parsed.secret);
    const expected = record ? Buffer.from(record.hash, 'hex') : Buffer.alloc(32);
    if (!timingSafeEqual(given, expected) || !record)
      return { ok: false, reason: 'unknown', keyId: parsed.keyId };
    if (record.revokedAt !== null) return { ok: false, reason: 'revoked', keyId: record.keyId };
    return { ok: true, keyId: record.keyId, agentId: record.agentId };
  }

  /** A connection authenticated with this key (its last-use time, written now and then). */
  used(keyId: string): void {
    const record = this.records.get(keyId);
    if (!record) return;
    const now = this.deps.clock.now();
    record.lastUsedAt = now;
    if (now - (this.lastWritten.get(keyId) ?? -Infinity) < LAST_USED_WRITE_MS) return;
    this.lastWritten.set(keyId, now);
    void this.log.upsert(keyId, record);
  }

  /** Whether any key (live or revoked) was ever issued for this agent id. */
  enrolled(agentId: string): boolean {
    return (this.byAgent.get(agentId)?.size ?? 0) > 0;
  }

  list(agentId: string): AgentKeyView[] {
    return [...(this.byAgent.get(agentId) ?? [])]
      .map((id) => view(this.records.get(id)!))
      .sort((a, b) => b.createdAt - a.createdAt);
  }

  get(keyId: string): AgentKeyView | undefined {
    const r = this.records.get(keyId);
    return r ? view(r) : undefined;
  }

  /** Revoke; resolves once durable. Revoking a revoked key changes nothing. */
  async revoke(keyId: string, by: string): Promise<AgentKeyView | undefined> {
    const record = this.records.get(keyId);
    if (!record) return undefined;
    if (record.revokedAt === null) {
      record.revokedAt = this.deps.clock.now();
      record.revokedBy = by;
      await this.log.upsert(keyId, record);
    }
    return view(record);
  }

  get size(): number {
    return this.records.size;
  }

  private index(r: KeyRecord): void {
    this.records.set(r.keyId, r);
    let set = this.byAgent.get(r.agentId);
    if (!set) this.byAgent.set(r.agentId, (set = new Set()));
    set.add(r.keyId);
  }
}

function view(r: KeyRecord): AgentKeyView {
  return {
    keyId: r.keyId,
    agentId: r.agentId,
    createdAt: r.createdAt,
    lastUsedAt: r.lastUsedAt,
    revokedAt: r.revokedAt,
    revokedBy: r.revokedBy,
  };
}
