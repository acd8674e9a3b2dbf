// What a remote-write request costs the console's memory while it waits for its WAL write:
// nothing of what was decoded. The samples handed to the store must be collectable before the
// 204 (a request held whole until its group commit lives through young-generation GCs and is
// promoted, which was most of the receiver's CPU per sample).
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sample } from '../../shared/protocol.js';
import { AGENT_TOKEN, startTestCore, waitFor, type TestCore } from '../helpers/core.js';
import { postWrite, writeRequestBody } from '../helpers/remote-write.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** A turn of the event loop: WeakRefs made in the last job may be cleared after it. */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('remote write: memory held while a request waits for the WAL', () => {
  let t: TestCore;
  beforeAll(async () => {
    // A long group-commit window: the request is certainly still waiting while the test looks.
    t = await startTestCore({ walFlushMs: 5_000 });
  });
  afterAll(async () => t?.stop());

  it('lets the decoded samples be collected before the request is acked', async () => {
    const handed: WeakRef<readonly Sample[]>[] = [];
    const store = t.core.store;
    const append = store.append.bind(store);
    store.append = (agentId, samples, onStored) => {
      if (samples[0]?.name.startsWith('rw_mem_')) handed.push(new WeakRef(samples));
      return append(agentId, samples, onStored);
    };
    const ts = Date.now() - 5_000;
    const body = writeRequestBody(
      Array.from({ length: 50 }, (_, i) => ({
        labels: { __name__: `rw_mem_${i}`, instance: 'mem:1', region: 'us-east-1' },
        samples: Array.from({ length: 20 }, (_, j) => ({ value: j, ts: ts + j })),
      })),
    );
    let acked = false;
    const answer = postWrite(t.addr.ingestUrl, body, AGENT_TOKEN).then((a) => {
      acked = true;
      return a;
    });
    await waitFor(() => handed.length === 1, 15_000, 'the request reaches the store');
    await waitFor(
      async () => {
        await turn();
        gc();
        return handed[0]!.deref() === undefined;
      },
      15_000,
      'the samples collected',
    );
    expect(acked).toBe(false);
    expect((await answer).status).toBe(204);
    expect(await t.metric('meridian_samples_received_total')).toBe(50 * 20);
  });
});
