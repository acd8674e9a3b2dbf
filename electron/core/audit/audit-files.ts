// The audit trail's files: opening audit.ndjson where the last run left it (its tail only —
// the file is never compacted, so it is never read whole on start), the one-time move of the
// old RecordLog format aside, and the audit.head checkpoint.
import { createReadStream } from 'node:fs';
import { open, readFile, rename, rm, stat, truncate } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import type { AuditEntry } from '../../../shared/audit.js';
import { syncDir } from '../state/durable-file.js';
import {
  AUDIT_LEGACY_FILE,
  GENESIS_PREV,
  isChainLine,
  parseRecord,
  readLineHeader,
  sha256,
} from './chain-format.js';

/** How much of the file's end is read on open: the latest records the API answers from memory. */
const TAIL_BYTES = 4 * 1024 * 1024;

export interface OpenedTail {
  /** The file's length after a torn last line (never reported done) was cut off. */
  bytes: number;
  /** Bytes of a torn last line cut off (0 normally). */
  tornBytes: number;
  /** The last record's seq and hash (what the next record follows); 0 / genesis when empty. */
  seq: number;
  hash: string;
  /** The latest records, oldest first (those that parse). */
  recent: AuditEntry[];
}

async function sizeOf(path: string): Promise<number | null> {
  try {
    return (await stat(path)).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

async function readRange(path: string, from: number, to: number): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buf = Buffer.alloc(to - from);
    let got = 0;
    while (got < buf.length) {
      const { bytesRead } = await handle.read(buf, got, buf.length - got, from + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return buf.subarray(0, got);
  } finally {
    await handle.close();
  }
}

/** True when audit.ndjson exists, is not empty and is not in the chain format. */
export async function isLegacyFile(path: string): Promise<boolean> {
  const size = await sizeOf(path);
  if (!size) return false;
  const head = await readRange(path, 0, Math.min(size, 256));
  const first = head.toString('utf8').split('\n', 1)[0]!;
  return first.length > 0 && !isChainLine(first);
}

/** Move the old format aside (never over an earlier copy); its name, length and SHA-256. */
export async function moveLegacyAside(
  path: string,
  stamp: number,
): Promise<{ file: string; bytes: number; sha256: string }> {
  const dir = dirname(path);
  let name = AUDIT_LEGACY_FILE;
  if ((await sizeOf(join(dir, name))) !== null) name = `audit.legacy-${stamp}.ndjson`;
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  await rename(path, join(dir, name));
  await syncDir(dir);
  return { file: name, bytes, sha256: hash.digest('hex') };
}

/** Read where the chain stands from the end of the file; cut off a torn last line. */
export async function openTail(path: string): Promise<OpenedTail> {
  const size = await sizeOf(path);
  if (!size) return { bytes: 0, tornBytes: 0, seq: 0, hash: GENESIS_PREV, recent: [] };
  const from = Math.max(0, size - TAIL_BYTES);
  const buf = await readRange(path, from, size);
  let end = buf.length;
  while (end > 0 && buf[end - 1] !== 0x0a) end--;
  const tornBytes = buf.length - end;
  // A record is fsynced before its action is reported done: a torn line never was.
  if (tornBytes > 0) await truncate(path, size - tornBytes);
  const lines = buf.subarray(0, end).toString('utf8').split('\n');
  lines.pop();
  if (from > 0) lines.shift(); // began mid-line
  const recent: AuditEntry[] = [];
  for (const line of lines) {
    const e = line ? parseRecord(line) : null;
    if (e) recent.push(e);
  }
  let seq = 0;
  let hash = GENESIS_PREV;
  for (let i = lines.length - 1; i >= 0; i--) {
    const header = readLineHeader(Buffer.from(lines[i]!));
    if (header) {
      seq = header.seq;
      hash = i === lines.length - 1 ? header.hash : sha256(lines.at(-1)!);
      break;
    }
  }
  if (seq === 0 && lines.length > 0) hash = sha256(lines.at(-1)!);
  return { bytes: size - tornBytes, tornBytes, seq, hash, recent };
}

export interface HeadCheckpoint {
  seq: number;
  hash: string;
  at: number;
}

export async function readCheckpoint(path: string): Promise<HeadCheckpoint | null> {
  try {
    const raw = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
    if (
      typeof raw.seq === 'number' &&
      typeof raw.hash === 'string' &&
      /^[0-9a-f]{64}$/.test(raw.hash) &&
      typeof raw.at === 'number'
    )
      return { seq: raw.seq, hash: raw.hash, at: raw.at };
    return null;
  } catch {
    return null;
  }
}

/** Write temp, fsync, rename, fsync the directory: the checkpoint is whole or the old one. */
export async function writeCheckpoint(path: string, head: HeadCheckpoint): Promise<void> {
  const temp = `${path}.tmp`;
  try {
    const handle = await open(temp, 'w', 0o600);
    try {
      await handle.writeFile(`${JSON.stringify(head)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
    await syncDir(dirname(path));
  } catch (err) {
    await rm(temp, { force: true }).catch(() => {});
    throw err;
  }
}
