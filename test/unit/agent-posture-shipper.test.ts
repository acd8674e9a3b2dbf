// When the agent sends posture facts: the full set after a connect, then only what changed,
// re-collected on the hour and soon after a watched file changes (a real file in a temp dir,
// watched for real; the commands are a fixture runner). `send` records what would go out.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PostureShipper } from '../../agent/security/posture/posture-shipper.js';
import type { HostAccess } from '../../agent/security/posture/host-access.js';
import { systemClock } from '../../shared/clock.js';
import { FACT_IDS, type PostureFact } from '../../shared/posture.js';
import { isNonCompliant, simulatedFacts } from '../../agent/sim-posture.js';
import { waitFor } from '../helpers/core.js';

let dir: string | undefined;
let shipper: PostureShipper | undefined;
afterEach(async () => {
  shipper?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = shipper = undefined;
});

describe('posture shipper', () => {
  it('full set on connect, then only changes; a watched file change re-collects at once', async () => {
    dir = await mkdtemp(join(tmpdir(), 'meridian-posture-'));
    const loginDefs = join(dir, 'login.defs');
    await writeFile(loginDefs, 'PASS_MAX_DAYS 99999\n');
    let rootLogin = 'yes';
    const host: HostAccess = {
      run: async (argv) =>
        argv.join(' ') === 'sshd -T'
          ? {
              code: 0,
              stdout: `permitrootlogin ${rootLogin}\npasswordauthentication no\n`,
              stderr: '',
            }
          : { code: null, stdout: '', stderr: '', failure: 'not_found' },
      fs: {
        readFile: (p) =>
          p === '/etc/login.defs' ? readFile(loginDefs, 'utf8') : Promise.resolve(null),
        readDir: async () => null,
      },
    };
    const sent: { full: boolean; facts: PostureFact[] }[] = [];
    let connected = false;
    shipper = new PostureShipper(
      {
        clock: systemClock,
        send: (facts, full) => {
          if (!connected) return false;
          sent.push({ full, facts: [...facts] });
          return true;
        },
        warn: () => {},
        host,
        platform: 'linux',
      },
      { firstDelayMs: 3_600_000, debounceMs: 20, watchPaths: [loginDefs] },
    );
    shipper.start();
    await shipper.collect();
    // Not connected yet: nothing went, and the connect sends the whole set.
    expect(sent).toEqual([]);
    connected = true;
    shipper.connected();
    expect(sent).toHaveLength(1);
    expect(sent[0]!.full).toBe(true);
    expect(sent[0]!.facts).toHaveLength(Object.keys(FACT_IDS).length);

    // The same answers again: nothing to send.
    await shipper.collect();
    expect(sent).toHaveLength(1);

    // One command's answer changes: only that fact goes.
    rootLogin = 'no';
    await shipper.collect();
    expect(sent).toHaveLength(2);
    expect(sent[1]).toMatchObject({
      full: false,
      facts: [{ id: FACT_IDS.sshdPermitRootLogin, value: 'no' }],
    });

    // A watched file changes: collected without waiting for the hour.
    await writeFile(loginDefs, 'PASS_MAX_DAYS 60\n');
    await waitFor(() => sent.length === 3, undefined, 'the change to login.defs sent');
    expect(sent[2]).toMatchObject({
      full: false,
      facts: [{ id: FACT_IDS.passwordMaxDays, value: 60 }],
    });

    // A collection asked for while one runs still sees the host as it is after the ask.
    const during = shipper.collect();
    rootLogin = 'without-password';
    await shipper.collect();
    expect(sent[3]).toMatchObject({
      full: false,
      facts: [{ id: FACT_IDS.sshdPermitRootLogin, value: 'prohibit-password' }],
    });
    await during;

    // A reconnect: the full set again.
    shipper.connected();
    expect(sent[4]!.full).toBe(true);
    expect(sent[4]!.facts).toHaveLength(Object.keys(FACT_IDS).length);
  });
});

describe('simulated posture', () => {
  it('the non-compliant hosts are the same for a seed, and only they fail', () => {
    const pick = (seed: number) =>
      Array.from({ length: 50 }, (_, i) => i).filter((i) => isNonCompliant(i, seed, 10));
    expect(pick(7)).toEqual(pick(7));
    expect(pick(7)).toHaveLength(5);
    expect(pick(7)).not.toEqual(pick(8));
    for (let i = 0; i < 50; i++) {
      const root = simulatedFacts(i, 7, 10, 1).find((f) => f.id === FACT_IDS.sshdPermitRootLogin)!;
      expect(root.value).toBe(isNonCompliant(i, 7, 10) ? 'yes' : 'no');
    }
    expect(simulatedFacts(3, 7, 10, 1)).toEqual(simulatedFacts(3, 7, 10, 1));
  });
});
