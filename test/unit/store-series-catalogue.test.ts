// The series catalogue: what is flushed comes back after a restart with ids, agents, names
// and labels; a torn last line is skipped and the file goes on cleanly after it.
import { appendFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SeriesCatalogue } from '../../electron/core/store/series-catalogue.js';
import { TimeSeriesStore } from '../../electron/core/store/tsdb.js';
import { T0, useTempDir } from './support/store-fixture.js';

const dir = useTempDir('meridian-catalogue-');

describe('SeriesCatalogue', () => {
  it('keeps every series it was given once flushed, and nothing twice', async () => {
    const path = join(dir(), 'series.ndjson');
    const head = new TimeSeriesStore(10);
    head.append('a1', [
      { name: 'cpu', ts: T0, value: 1 },
      { name: 'fs', labels: { mount: '/' }, ts: T0, value: 2 },
    ]);
    const cat = new SeriesCatalogue(path);
    expect(await cat.open(head)).toEqual({ series: 0, corrupt: 0 });
    for (const s of head.all()) cat.add(s);
    for (const s of head.all()) cat.add(s); // again: written once
    await cat.flush();
    await cat.close();
    expect((await readFile(path, 'utf8')).trim().split('\n')).toHaveLength(2);

    const fresh = new TimeSeriesStore(10);
    const again = new SeriesCatalogue(path);
    expect(await again.open(fresh)).toEqual({ series: 2, corrupt: 0 });
    const fs = [...fresh.seriesOf('fs')][0]!;
    expect([fs.agentId, fs.labels, fresh.seriesById(fs.id)]).toEqual(['a1', { mount: '/' }, fs]);
    // New samples of a catalogued series go on in the same series.
    expect(fresh.append('a1', [{ name: 'cpu', ts: T0 + 1000, value: 3 }]).accepted).toBe(1);
    expect(fresh.seriesCount()).toBe(2);
    await again.close();
  });

  it('skips a torn last line, and later lines start on a fresh line', async () => {
    const path = join(dir(), 'series.ndjson');
    const head = new TimeSeriesStore(10);
    head.append('a1', [{ name: 'cpu', ts: T0, value: 1 }]);
    const cat = new SeriesCatalogue(path);
    await cat.open(head);
    cat.add([...head.all()][0]!);
    await cat.flush();
    await cat.close();
    await appendFile(path, '1234abcd ["1","a1","me'); // cut short by a crash
    const h2 = new TimeSeriesStore(10);
    const c2 = new SeriesCatalogue(path);
    expect(await c2.open(h2)).toEqual({ series: 1, corrupt: 1 });
    h2.append('a1', [{ name: 'mem', ts: T0, value: 1 }]);
    c2.add([...h2.seriesOf('mem')][0]!);
    await c2.flush();
    await c2.close();
    const h3 = new TimeSeriesStore(10);
    expect(await new SeriesCatalogue(path).open(h3)).toEqual({ series: 2, corrupt: 1 });
    expect(h3.metricNames()).toEqual(['cpu', 'mem']);
  });
});
