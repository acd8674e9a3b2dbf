// Who changed what, when: <data-dir>/audit.ndjson, a SHA-256 hash chain (chain-format.ts),
// strictly append-only and never compacted. `record()` resolves once the record is fsynced, so
// a route that awaits it answers only after its action is durable in the trail; records that
// arrive while a write is under way share the next write and fsync (group commit). The chain
// head is checkpointed to audit.head every `checkpointEveryMs` and on close. Format, what is
// recorded and what it defends against: docs/security.md#audit-trail.
import { open, truncate, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type {
  AuditEntry,
  AuditHead,
  AuditInput,
  AuditVerifyResult,
} from '../../../shared/audit.js';
import type { Clock, TimerHandle } from '../clock.js';
import type { IdSource } from '../ids.js';
import type { Logger } from '../logger.js';
import {
  isLegacyFile,
  moveLegacyAside,
  openTail,
  readCheckpoint,
  writeCheckpoint,
  type HeadCheckpoint,
} from './audit-files.js';
import { fromFile, fromMemory, type AuditFilter } from './audit-query.js';
import { AUDIT_FILE, AUDIT_HEAD_FILE, encodeRecord, GENESIS_PREV } from './chain-format.js';
import { verifyChain } from './verify-chain.js';

export type { AuditFilter } from './audit-query.js';
export { AUDIT_FILE as AUDIT_LOG_FILE } from './chain-format.js';

export interface AuditLogDeps {
  clock: Clock;
  ids: IdSource;
  logger: Logger;
}

export interface AuditLogOptions {
  /** Latest records kept in memory for the API; older ones are read from the file. */
  memoryEntries?: number;
  checkpointEveryMs?: number;
}

interface Queued {
  line: string;
  resolve(): void;
  reject(err: Error): void;
}

export class AuditLog {
  readonly path: string;
  readonly headPath: string;
  private handle: FileHandle | null = null;
  private seq = 0;
  private hash = GENESIS_PREV;
  private lastAt: number | null = null;
  /** Bytes durable in the file (what a verification may read). */
  private durableBytes = 0;
  private recent: AuditEntry[] = [];
  private queue: Queued[] = [];
  private draining: Promise<void> | null = null;
  private checkpoint: HeadCheckpoint | null = null;
  private checkpointTimer: TimerHandle | null = null;
  private checkpointing: Promise<void> = Promise.resolve();
  /** Each durable write (records, bytes), for /metrics. */
  onWrite: ((records: number, bytes: number) => void) | null = null;
  /** Each verification's result, for /metrics. */
  onVerified: ((result: AuditVerifyResult) => void) | null = null;
  /** Set once a verification has run (start-up, the API, or `audit verify` in-process). */
  lastVerification: AuditVerifyResult | null = null;
  /** The checkpoint as it was found on open, before this run wrote one. */
  checkpointAtOpen: HeadCheckpoint | null = null;
  /** The file's length on open: what the start-up check reads. */
  bytesAtOpen = 0;
  /** Aborted on close: a long check must not hold up shutdown. */
  private readonly checks = new AbortController();
  private readonly memoryEntries: number;
  private readonly checkpointEveryMs: number;

  constructor(
    dataDir: string,
    private readonly deps: AuditLogDeps,
    opts: AuditLogOptions = {},
  ) {
    this.path = join(dataDir, AUDIT_FILE);
    this.headPath = join(dataDir, AUDIT_HEAD_FILE);
    this.memoryEntries = opts.memoryEntries ?? 5_000;
    this.checkpointEveryMs = opts.checkpointEveryMs ?? 10_000;
  }

  async open(): Promise<void> {
    let migrated: Awaited<ReturnType<typeof moveLegacyAside>> | null = null;
    if (await isLegacyFile(this.path)) {
      migrated = await moveLegacyAside(this.path, this.deps.clock.now());
      this.deps.logger.warn('audit log: old format moved aside, a new hash chain begins', {
        legacyFile: migrated.file,
      });
    }
    const tail = await openTail(this.path);
    if (tail.tornBytes > 0)
      this.deps.logger.warn('audit log: torn last line cut off (it was never reported done)', {
        bytes: tail.tornBytes,
      });
    this.seq = tail.seq;
    this.hash = tail.hash;
    this.recent = tail.recent;
    this.lastAt = tail.recent.at(-1)?.at ?? null;
    this.durableBytes = this.bytesAtOpen = tail.bytes;
    this.checkpoint = this.checkpointAtOpen = await readCheckpoint(this.headPath);
    this.handle = await open(this.path, 'a', 0o600);
    if (migrated)
      await this.record({
        by: 'console',
        action: 'audit.migrated',
        target: AUDIT_FILE,
        details: {
          legacyFile: migrated.file,
          legacyBytes: migrated.bytes,
          legacySha256: migrated.sha256,
        },
      });
    this.checkpointTimer = this.deps.clock.setInterval(
      () => void this.writeHead(),
      this.checkpointEveryMs,
    );
  }

  /** Append a record; resolves with it once it is durable (written and fsynced). */
  record(input: AuditInput): Promise<AuditEntry> {
    if (!this.handle) return Promise.reject(new Error('audit log is not open'));
    const seq = this.seq + 1;
    const at = this.deps.clock.now();
    const id = this.deps.ids('aud');
    const { line, hash } = encodeRecord({ ...input, seq, prev: this.hash, id, at });
    const entry: AuditEntry = {
      seq,
      prev: this.hash,
      id,
      at,
      by: input.by,
      action: input.action,
      target: input.target,
      before: input.before ?? null,
      after: input.after ?? null,
      ...(input.details !== undefined ? { details: input.details } : {}),
      hash,
    };
    this.seq = seq;
    this.hash = hash;
    this.lastAt = at;
    this.recent.push(entry);
    if (this.recent.length > this.memoryEntries * 1.25)
      this.recent = this.recent.slice(-this.memoryEntries);
    const done = new Promise<void>((resolve, reject) =>
      this.queue.push({ line: `${line}\n`, resolve, reject }),
    );
    this.draining ??= this.drain();
    return done.then(() => entry);
  }

  /** Write what is queued, one write + one fsync per batch, until the queue is empty. */
  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0);
      const buf = Buffer.from(batch.map((q) => q.line).join(''));
      const bytes = buf.length;
      try {
        // A write on a nearly full disk can be short without an error: write the rest, and
        // the next write says ENOSPC. Never count a batch done until all of it is in.
        for (let off = 0; off < bytes;) {
          const { bytesWritten } = await this.handle!.write(buf, off, bytes - off);
          if (bytesWritten === 0) throw new Error('audit log write made no progress');
          off += bytesWritten;
        }
        await this.handle!.datasync();
        this.durableBytes += bytes;
        this.onWrite?.(batch.length, bytes);
        for (const q of batch) q.resolve();
      } catch (err) {
        // The lines are already chained: they must go in as they are, not be dropped. Undo a
        // partial write and try them again with what came after; the callers hear it failed.
        this.deps.logger.error('audit log write failed; retrying', {
          error: (err as Error).message,
        });
        await truncate(this.path, this.durableBytes).catch(() => {});
        for (const q of batch) q.reject(err as Error);
        this.queue.unshift(
          ...batch.map((q) => ({ line: q.line, resolve: () => {}, reject: () => {} })),
        );
        await new Promise((r) => this.deps.clock.setTimeout(() => r(null), 1_000));
        if (!this.handle) break;
      }
    }
    this.draining = null;
  }

  /** Resolves once everything recorded so far is durable. */
  async flush(): Promise<void> {
    while (this.draining) await this.draining;
  }

  /** Newest first, from memory only (the latest records); see `query` for the whole trail. */
  list(filter: AuditFilter = {}): AuditEntry[] {
    return fromMemory(this.recent, filter);
  }

  /** Newest first; reads the file for what memory no longer holds. */
  async query(filter: AuditFilter): Promise<{ entries: AuditEntry[]; nextCursor: string | null }> {
    const limit = filter.limit ?? 500;
    const entries = fromMemory(this.recent, { ...filter, limit });
    const oldestInMemory = this.recent[0]?.seq ?? this.seq + 1;
    if (entries.length < limit && oldestInMemory > 1) {
      await this.flush();
      entries.push(...(await fromFile(this.path, filter, oldestInMemory, limit - entries.length)));
    }
    const last = entries.at(-1);
    return {
      entries,
      nextCursor: entries.length === limit && last && last.seq > 1 ? String(last.seq) : null,
    };
  }

  head(): AuditHead {
    return { seq: this.seq, hash: this.hash, at: this.lastAt, checkpoint: this.checkpoint };
  }

  /**
   * Check the chain as durable now against the checkpoint in force now (both taken together,
   * so a checkpoint written during a long check is not mistaken for a truncation). The
   * start-up check passes what it found on open instead.
   */
  async verify(
    opts: { endByte: number; checkpoint: HeadCheckpoint | null } | null = null,
  ): Promise<AuditVerifyResult> {
    await this.flush();
    const result = await verifyChain(this.path, {
      clock: this.deps.clock,
      signal: this.checks.signal,
      endByte: opts?.endByte ?? this.durableBytes,
      checkpoint: opts ? opts.checkpoint : this.checkpoint,
    });
    this.lastVerification = result;
    this.onVerified?.(result);
    return result;
  }

  /** Checkpoint the head now (after a segment that records a break, and on close). */
  writeHead(): Promise<void> {
    this.checkpointing = this.checkpointing.then(async () => {
      await this.flush();
      if (this.seq === 0 || this.checkpoint?.seq === this.seq) return;
      const head = { seq: this.seq, hash: this.hash, at: this.deps.clock.now() };
      try {
        await writeCheckpoint(this.headPath, head);
        this.checkpoint = head;
      } catch (err) {
        this.deps.logger.error('audit head checkpoint failed', { error: (err as Error).message });
      }
    });
    return this.checkpointing;
  }

  /** Stop any check under way (it rejects); the console is shutting down. */
  cancelChecks(): void {
    this.checks.abort();
  }

  async close(): Promise<void> {
    this.cancelChecks();
    this.checkpointTimer?.cancel();
    this.checkpointTimer = null;
    await this.flush();
    await this.writeHead();
    const handle = this.handle;
    this.handle = null;
    await handle?.close();
  }
}
