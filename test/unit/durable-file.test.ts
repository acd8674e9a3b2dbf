import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DurableJsonFile } from '../../electron/core/state/durable-file.js';
import { StateStore } from '../../electron/core/state/state-store.js';
import { STATE_VERSION, type PersistedState } from '../../electron/core/state/schema.js';
import { ManualClock } from '../../electron/core/clock.js';
import { silentLogger } from '../../electron/core/logger.js';

interface Doc {
  n: number;
  name: string;
}

const T0 = 1_700_000_000_000;

function parseDoc(raw: unknown): Doc {
  const d = raw as Partial<Doc> | null;
  if (!d || typeof d.n !== 'number' || typeof d.name !== 'string') throw new Error('not a Doc');
  return { n: d.n, name: d.name };
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'meridian-durable-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function docFile(stamp = T0) {
  return new DurableJsonFile<Doc>(join(dir, 'state.json'), parseDoc, () => stamp);
}

describe('DurableJsonFile', () => {
  it('read of a fresh directory is null with no recovery', async () => {
    const f = docFile();
    expect(await f.read()).toBeNull();
    expect(f.recovery).toBeNull();
  });

  it('write then read round-trips', async () => {
    const f = docFile();
    await f.write({ n: 1, name: 'first' });
    expect(await f.read()).toEqual({ n: 1, name: 'first' });
    expect(f.recovery).toBeNull();
    expect(JSON.parse(await readFile(f.path, 'utf8'))).toEqual({ n: 1, name: 'first' });
    // no temp file left behind
    expect((await readdir(dir)).sort()).toEqual(['state.json']);
  });

  it('a second write keeps the first as .bak', async () => {
    const f = docFile();
    await f.write({ n: 1, name: 'first' });
    await f.write({ n: 2, name: 'second' });
    expect(f.backupPath).toBe(join(dir, 'state.json.bak'));
    expect(JSON.parse(await readFile(f.backupPath, 'utf8'))).toEqual({ n: 1, name: 'first' });
    expect(await f.read()).toEqual({ n: 2, name: 'second' });
    await f.write({ n: 3, name: 'third' });
    expect(JSON.parse(await readFile(f.backupPath, 'utf8'))).toEqual({ n: 2, name: 'second' });
    expect((await readdir(dir)).sort()).toEqual(['state.json', 'state.json.bak']);
  });

  it.each([
    ['garbage', '{"n": 2, "name": "sec'],
    ['empty', ''],
    ['whitespace', '  \n'],
    ['valid JSON the parser refuses', '{"n":"two"}'],
  ])('a %s main file falls back to .bak and is preserved', async (_kind, content) => {
    const f = docFile(T0 + 42);
    await f.write({ n: 1, name: 'first' });
    await f.write({ n: 2, name: 'second' });
    await writeFile(f.path, content);

    expect(await f.read()).toEqual({ n: 1, name: 'first' });
    const preservedAs = join(dir, `state.json.corrupt-${T0 + 42}`);
    expect(f.recovery).toEqual({
      problem: expect.any(String),
      loaded: 'backup',
      preservedAs,
    });
    expect(await readFile(preservedAs, 'utf8')).toBe(content);
    expect((await readdir(dir)).sort()).toEqual([
      'state.json.bak',
      `state.json.corrupt-${T0 + 42}`,
    ]);
  });

  it('names the problem: empty file', async () => {
    const f = docFile();
    await f.write({ n: 1, name: 'first' });
    await f.write({ n: 2, name: 'second' });
    await writeFile(f.path, '');
    await f.read();
    expect(f.recovery!.problem).toBe('empty file');
  });

  it('after a recovery the next write does not overwrite the good backup with the bad file', async () => {
    const f = docFile();
    await f.write({ n: 1, name: 'first' });
    await f.write({ n: 2, name: 'second' });
    await writeFile(f.path, 'garbage');
    await f.read();
    await f.write({ n: 3, name: 'third' });
    expect(await f.read()).toEqual({ n: 3, name: 'third' });
    expect(JSON.parse(await readFile(f.backupPath, 'utf8'))).toEqual({ n: 1, name: 'first' });
  });

  it('both files corrupt → null, loaded nothing, main preserved', async () => {
    const f = docFile();
    await writeFile(f.path, 'garbage');
    await writeFile(f.backupPath, '{{{');
    expect(await f.read()).toBeNull();
    expect(f.recovery).toEqual({
      problem: expect.any(String),
      loaded: 'nothing',
      preservedAs: join(dir, `state.json.corrupt-${T0}`),
    });
    expect(await readFile(join(dir, `state.json.corrupt-${T0}`), 'utf8')).toBe('garbage');
  });

  it('corrupt main with no backup → null, loaded nothing', async () => {
    const f = docFile();
    await writeFile(f.path, 'garbage');
    expect(await f.read()).toBeNull();
    expect(f.recovery?.loaded).toBe('nothing');
  });

  it('missing main but present .bak (crash between renames) → .bak content', async () => {
    const f = docFile();
    await writeFile(f.backupPath, JSON.stringify({ n: 7, name: 'backup' }));
    expect(await f.read()).toEqual({ n: 7, name: 'backup' });
    // nothing was corrupt, so nothing was moved aside
    expect((await readdir(dir)).sort()).toEqual(['state.json.bak']);
  });

  it('a read after a clean read clears an earlier recovery', async () => {
    const f = docFile();
    await f.write({ n: 1, name: 'first' });
    await f.write({ n: 2, name: 'second' });
    await writeFile(f.path, 'garbage');
    await f.read();
    expect(f.recovery).not.toBeNull();
    await f.write({ n: 3, name: 'third' });
    await f.read();
    expect(f.recovery).toBeNull();
  });
});

describe('StateStore', () => {
  function state(n: number): PersistedState {
    return {
      version: STATE_VERSION,
      regions: [{ id: `r${n}`, name: 'R', latitude: 0, longitude: 0 }],
      agents: [],
      rules: [],
      alerts: [],
      events: [],
    };
  }

  function setup(debounceMs = 1000) {
    const clock = new ManualClock(T0);
    const store = new StateStore(dir, { clock, logger: silentLogger }, debounceMs);
    let n = 0;
    let snapshots = 0;
    store.source(() => {
      snapshots++;
      return state(n);
    });
    return {
      clock,
      store,
      setN: (v: number) => (n = v),
      snapshots: () => snapshots,
    };
  }

  it('a first load finds nothing', async () => {
    const { store } = setup();
    expect(await store.load()).toEqual({ state: null, recovery: null, dropped: {} });
    expect(store.path).toBe(join(dir, 'state.json'));
  });

  it('many markDirty calls within the debounce make one write', async () => {
    const { clock, store, setN, snapshots } = setup(1000);
    for (let i = 1; i <= 50; i++) {
      setN(i);
      store.markDirty();
      clock.advance(10);
    }
    expect(store.writes).toBe(0);
    clock.advance(1000 - 500);
    await store.flush();
    expect(store.writes).toBe(1);
    expect(snapshots()).toBe(1);
    const onDisk = JSON.parse(await readFile(store.path, 'utf8')) as PersistedState;
    expect(onDisk.regions[0]!.id).toBe('r50');
  });

  it('nothing is written before the debounce expires', async () => {
    const { clock, store } = setup(1000);
    store.markDirty();
    clock.advance(999);
    await Promise.resolve();
    expect(store.writes).toBe(0);
    clock.advance(1);
    await store.flush();
    expect(store.writes).toBe(1);
  });

  it('flush writes at once and cancels the pending timer', async () => {
    const { clock, store } = setup(1000);
    store.markDirty();
    await store.flush();
    expect(store.writes).toBe(1);
    clock.advance(5000);
    await store.flush();
    expect(store.writes).toBe(1);
  });

  it('flush with nothing dirty writes nothing', async () => {
    const { store } = setup();
    await store.flush();
    expect(store.writes).toBe(0);
  });

  it('changes after a write schedule another write', async () => {
    const { clock, store, setN } = setup(1000);
    setN(1);
    store.markDirty();
    clock.advance(1000);
    await store.flush();
    setN(2);
    store.markDirty();
    store.markDirty();
    clock.advance(1000);
    await store.flush();
    expect(store.writes).toBe(2);
    const loaded = await store.load();
    expect(loaded.state!.regions[0]!.id).toBe('r2');
    expect(JSON.parse(await readFile(`${store.path}.bak`, 'utf8')).regions[0].id).toBe('r1');
  });

  it('load reports dropped invalid records and recovery from backup', async () => {
    const { store } = setup();
    const good = state(1);
    await writeFile(
      join(dir, 'state.json.bak'),
      JSON.stringify({ ...good, agents: [{ id: 'broken' }] }),
    );
    await writeFile(join(dir, 'state.json'), 'not json');
    const r = await store.load();
    expect(r.state!.regions[0]!.id).toBe('r1');
    expect(r.state!.agents).toEqual([]);
    expect(r.dropped).toEqual({ agents: 1 });
    expect(r.recovery).toMatchObject({ loaded: 'backup' });
  });
});
