// The first store kept everything in memory and dumped it to `checkpoint.ndjson`. An existing
// data dir is moved to block files on the first start: its raw samples become one flush (L0),
// its 1-minute and 1-hour buckets one rollup block each; then the checkpoint is deleted. A
// crash half-way simply repeats it (same file names). The WAL after the checkpoint is
// replayed as usual.
import { createReadStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { BlockWriter, type BlockTier } from './block-file.js';
import { blockName } from './block-dir.js';
import { encodeColumns } from './codec.js';
import { encodeBuckets, type Bucket } from './rollup.js';
import { HOUR_MS } from './series.js';
import { Series, type TimeSeriesStore } from './tsdb.js';

export const LEGACY_CHECKPOINT = 'checkpoint.ndjson';
/** Seqs of the migrated blocks: the raw flush outranks the migrated buckets once compacted. */
const ROLLUP_SEQ = 0;
const RAW_SEQ = 1;
const FIELDS = 6;

interface SeriesImage {
  id: number;
  agentId: string;
  key: string;
  name: string;
  labels: Record<string, string>;
  raw: { base: number; ts: string; v: string }[];
  minute: { blocks: string[] };
  hour: { blocks: string[] };
}

function fromB64<T extends Uint32Array | Float64Array>(
  s: string,
  Ctor: new (b: ArrayBuffer) => T,
): T {
  const buf = Buffer.from(s, 'base64');
  return new Ctor(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer);
}

function bucketsOf(image: { blocks: string[] }): Bucket[] {
  const out: Bucket[] = [];
  for (const b64 of image.blocks) {
    const a = fromB64(b64, Float64Array);
    for (let at = 0; at + FIELDS <= a.length; at += FIELDS) {
      if (a[at + 4] === 0) continue;
      out.push({
        start: a[at]!,
        min: a[at + 1]!,
        max: a[at + 2]!,
        sum: a[at + 3]!,
        count: a[at + 4]!,
        last: a[at + 5]!,
      });
    }
  }
  return out;
}

export interface MigrationResult {
  migrated: boolean;
  series: number;
  walSegment: number;
}

/**
 * Move a v1 checkpoint in `tsdbDir` into blocks under `blocksDir` and define its series in
 * `head`. Returns the WAL segment the checkpoint covered (replay starts after it).
 */
export async function migrateV1Checkpoint(
  tsdbDir: string,
  blocksDir: string,
  head: TimeSeriesStore,
): Promise<MigrationResult> {
  const path = join(tsdbDir, LEGACY_CHECKPOINT);
  try {
    await stat(path);
  } catch {
    return { migrated: false, series: 0, walSegment: 0 };
  }
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  const images: SeriesImage[] = [];
  let walSegment = 0;
  let first = true;
  for await (const line of lines) {
    if (line === '') continue;
    const obj = JSON.parse(line) as Record<string, unknown>;
    if (first) {
      first = false;
      if (obj.version !== 1) throw new Error(`checkpoint version ${String(obj.version)}`);
      walSegment = Number(obj.walSegment);
      continue;
    }
    images.push(obj as unknown as SeriesImage);
  }
  images.sort((a, b) => a.id - b.id);
  const raw: { id: number; ts: number[]; values: number[] }[] = [];
  const minute: { id: number; buckets: Bucket[] }[] = [];
  const hour: { id: number; buckets: Bucket[] }[] = [];
  for (const image of images) {
    if (!head.seriesById(image.id))
      head.restore(new Series(image.id, image.key, image.agentId, image.name, image.labels));
    const ts: number[] = [];
    const values: number[] = [];
    for (const c of image.raw) {
      const offsets = fromB64(c.ts, Uint32Array);
      const v = fromB64(c.v, Float64Array);
      for (let i = 0; i < offsets.length; i++) {
        ts.push(c.base + offsets[i]!);
        values.push(v[i]!);
      }
    }
    if (ts.length) raw.push({ id: image.id, ts, values });
    const m = bucketsOf(image.minute);
    if (m.length) minute.push({ id: image.id, buckets: m });
    const h = bucketsOf(image.hour);
    if (h.length) hour.push({ id: image.id, buckets: h });
  }
  await writeRaw(blocksDir, raw);
  await writeRollup(blocksDir, '1m', minute);
  await writeRollup(blocksDir, '1h', hour);
  await rm(path, { force: true });
  return { migrated: true, series: images.length, walSegment };
}

async function writeRaw(
  dir: string,
  series: { id: number; ts: number[]; values: number[] }[],
): Promise<void> {
  if (series.length === 0) return;
  const min = Math.min(...series.map((s) => s.ts[0]!));
  const max = Math.max(...series.map((s) => s.ts.at(-1)!));
  const w = await BlockWriter.create(join(dir, blockName('l0', 0, 0, RAW_SEQ)), {
    tier: 'l0',
    start: min,
    end: max + 1,
    seq: RAW_SEQ,
  });
  try {
    for (const s of series)
      w.add(
        s.id,
        s.ts.length,
        s.ts[0]!,
        s.ts.at(-1)!,
        encodeColumns(s.ts, [s.values], s.ts.length),
      );
    await w.finish();
  } catch (err) {
    await w.abort();
    throw err;
  }
}

async function writeRollup(
  dir: string,
  tier: BlockTier,
  series: { id: number; buckets: Bucket[] }[],
): Promise<void> {
  if (series.length === 0) return;
  const starts = series.flatMap((s) => [s.buckets[0]!.start, s.buckets.at(-1)!.start]);
  const start = Math.min(...starts) - (Math.min(...starts) % HOUR_MS);
  const last = Math.max(...starts);
  const end = last - (last % HOUR_MS) + HOUR_MS;
  const w = await BlockWriter.create(join(dir, blockName(tier, start, end, ROLLUP_SEQ)), {
    tier,
    start,
    end,
    seq: ROLLUP_SEQ,
  });
  try {
    for (const s of series)
      w.add(
        s.id,
        s.buckets.length,
        s.buckets[0]!.start,
        s.buckets.at(-1)!.start,
        encodeBuckets(s.buckets),
      );
    await w.finish();
  } catch (err) {
    await w.abort();
    throw err;
  }
}
