import { createReadStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { syncDir } from '../state/durable-file.js';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Chunk } from './chunk.js';
import { FIELDS, RollupTier } from './rollup.js';
import { Series, type TimeSeriesStore } from './tsdb.js';

export const CHECKPOINT_FILE = 'checkpoint.ndjson';
const VERSION = 1;

const b64 = (a: Uint32Array | Float64Array) =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
function fromB64<T extends Uint32Array | Float64Array>(
  s: string,
  Ctor: new (b: ArrayBuffer) => T,
): T {
  const buf = Buffer.from(s, 'base64');
  return new Ctor(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer);
}

interface TierImage {
  blocks: string[];
}

interface SeriesImage {
  id: number;
  agentId: string;
  key: string;
  name: string;
  labels: Record<string, string>;
  lastTs: number;
  lastValue: number;
  raw: { base: number; ts: string; v: string }[];
  minute: TierImage;
  hour: TierImage;
}

/**
 * Capture the head synchronously: copies of the parts that may still change (the open
 * chunk's used length, the open rollup buckets), references to the parts that cannot.
 * Serialising then runs asynchronously while ingest goes on.
 */
function capture(store: TimeSeriesStore): (() => SeriesImage)[] {
  const out: (() => SeriesImage)[] = [];
  for (const s of store.all()) {
    const chunks = s.raw.map((c) => ({
      base: c.base,
      ts: c.offsets.slice(0, c.length),
      v: c.values.slice(0, c.length),
    }));
    const tier = (t: RollupTier) =>
      t.blocks.map((b, i) =>
        i === t.blocks.length - 1 ? b.slice(0, t.lastBlockLength * FIELDS) : b,
      );
    const minute = tier(s.minute);
    const hour = tier(s.hour);
    const head = {
      id: s.id,
      agentId: s.agentId,
      key: s.key,
      name: s.name,
      labels: { ...s.labels },
      lastTs: s.lastTs,
      lastValue: s.lastValue,
    };
    out.push(() => ({
      ...head,
      raw: chunks.map((c) => ({ base: c.base, ts: b64(c.ts), v: b64(c.v) })),
      minute: { blocks: minute.map(b64) },
      hour: { blocks: hour.map(b64) },
    }));
  }
  return out;
}

/** Write a checkpoint covering WAL segments up to `walSegment`: temp file, fsync, rename. */
export async function writeCheckpoint(
  dir: string,
  store: TimeSeriesStore,
  walSegment: number,
  createdAt: number,
): Promise<number> {
  const images = capture(store);
  const path = join(dir, CHECKPOINT_FILE);
  let bytes: number;
  try {
    bytes = await writeImages(`${path}.tmp`, images, walSegment, createdAt);
  } catch (err) {
    // A full disk must not be left fuller by a half-written checkpoint.
    await rm(`${path}.tmp`, { force: true }).catch(() => {});
    throw err;
  }
  await rename(`${path}.tmp`, path);
  // The WAL it covers is deleted next: make the rename itself durable first.
  await syncDir(dir);
  return bytes;
}

async function writeImages(
  tmp: string,
  images: (() => SeriesImage)[],
  walSegment: number,
  createdAt: number,
): Promise<number> {
  const handle = await open(tmp, 'w', 0o600);
  let bytes = 0;
  // appendFile loops until all is written; a bare write() may stop short on a full disk.
  const put = async (text: string) => {
    await handle.appendFile(text);
    bytes += Buffer.byteLength(text);
  };
  try {
    await put(
      `${JSON.stringify({ version: VERSION, walSegment, createdAt, series: images.length })}\n`,
    );
    let buffer = '';
    for (const image of images) {
      buffer += `${JSON.stringify(image())}\n`;
      if (buffer.length > 1 << 20) {
        await put(buffer);
        buffer = '';
      }
    }
    await put(buffer);
    await handle.sync();
    // The WAL this covers is deleted next: be sure every byte is there first.
    const { size } = await handle.stat();
    if (size !== bytes) throw new Error(`checkpoint is ${size} bytes on disk, ${bytes} written`);
  } finally {
    await handle.close();
  }
  return bytes;
}

function restoreTier(tier: RollupTier, image: TierImage): void {
  tier.restore(image.blocks.map((b) => fromB64(b, Float64Array)));
}

/** Load a checkpoint into the store; returns the WAL segment it covers (0 when there is none). */
export async function readCheckpoint(
  dir: string,
  store: TimeSeriesStore,
): Promise<{ walSegment: number; series: number }> {
  const path = join(dir, CHECKPOINT_FILE);
  let walSegment = 0;
  let series = 0;
  let first = true;
  try {
    const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
    for await (const line of lines) {
      if (line === '') continue;
      const obj = JSON.parse(line) as Record<string, unknown>;
      if (first) {
        first = false;
        if (obj.version !== VERSION) throw new Error(`checkpoint version ${String(obj.version)}`);
        walSegment = Number(obj.walSegment);
        continue;
      }
      const image = obj as unknown as SeriesImage;
      const s = new Series(image.id, image.key, image.agentId, image.name, image.labels);
      for (const c of image.raw)
        s.raw.push(Chunk.restore(c.base, fromB64(c.ts, Uint32Array), fromB64(c.v, Float64Array)));
      restoreTier(s.minute, image.minute);
      restoreTier(s.hour, image.hour);
      s.lastTs = image.lastTs;
      s.lastValue = image.lastValue;
      store.restore(s);
      series++;
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { walSegment: 0, series: 0 };
    throw err;
  }
  return { walSegment, series };
}
