// The reference agent's file integrity monitoring through the real console: a real
// HostAgent (FIM on a temp home's ~/.ssh/authorized_keys, its baseline in a temp state dir)
// connected to the real core over its ingest WebSocket. A key appended to the file becomes a
// `fim_change` event stored by the console and the built-in "SSH authorized_keys changed"
// detection, an alert with its MITRE id.
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HostAgent } from '../../agent/agent.js';
import { systemClock } from '../../shared/clock.js';
import type { Alert, StoredEvent } from '../../shared/model.js';
import { AGENT_TOKEN, startTestCore, tempDir, waitFor, type TestCore } from '../helpers/core.js';

const AUTHORIZED_KEYS_RULE = '809e178b-e119-4df0-b9ea-d9aa1b8e6e04';

let t: TestCore | undefined;
let agent: HostAgent | undefined;
afterEach(async () => {
  agent?.stop();
  await t?.stop();
  agent = t = undefined;
});

describe('host security events through the console', () => {
  it('an authorized_keys change reaches the console as an event and a detection', async () => {
    t = await startTestCore();
    const home = await tempDir();
    const keys = join(home, 'alice', '.ssh', 'authorized_keys');
    await mkdir(join(home, 'alice', '.ssh'), { recursive: true });
    await writeFile(keys, 'ssh-ed25519 AAAAC3 alice@laptop\n');
    agent = new HostAgent({
      url: t.addr.ingestUrl,
      token: AGENT_TOKEN,
      region: 'eu-west-1',
      agentType: 'system',
      hostname: 'fim-1',
      version: 'test',
      clock: systemClock,
      intervals: { headline: 600_000, network: 600_000, filesystems: 600_000 },
      log: () => {},
      stateDir: join(home, 'state'),
      security: false,
      ports: false,
      fim: { paths: [keys], debounceMs: 20 },
      onFatal: () => {},
    });
    agent.start();
    await waitFor(
      () => agent!.uplink.connected && (agent!.fim?.scans ?? 0) > 0,
      undefined,
      'agent up, baseline taken',
    );
    await appendFile(keys, 'ssh-rsa AAAAB3 mallory@evil\n');

    const [alert] = await waitFor(
      async () => {
        const { body } = await t!.api<{ alerts: Alert[] }>('/api/v1/alerts?limit=1000');
        const found = body.alerts.filter((a) => a.ruleId === `detect:${AUTHORIZED_KEYS_RULE}`);
        return found.length > 0 && found;
      },
      undefined,
      'the authorized_keys detection',
    );
    expect(alert!.labels).toMatchObject({ mitre: 'T1098.004', hostname: 'fim-1' });
    expect(alert!.message).toContain(keys);
    // The rules see an event as it arrives; the events API once its batch is on disk.
    const fim = await waitFor(
      async () => {
        const { body } = await t!.api<{ events: StoredEvent[] }>('/api/v1/events?limit=100');
        const found = body.events.filter((e) => e.source === 'fim');
        return found.length > 0 && found;
      },
      undefined,
      'the fim_change event in the events API',
    );
    expect(fim).toMatchObject([
      { attributes: { 'event.type': 'fim_change', path: keys, change: 'modified' } },
    ]);
  });
});
