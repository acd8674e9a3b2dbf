// `meridian agent` (the compiled CLI) with --fim-paths: a bad path is exit 2 naming the flag;
// a good one watches that file, and a change to it reaches the console as an `events` frame
// (a stand-in console, test/helpers/fake-console.ts, records the frames). --no-ports keeps
// other processes' listeners on this shared machine out of the frames.
import { existsSync } from 'node:fs';
import { appendFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentEvent } from '../../shared/protocol.js';
import { spawnAgent, type AgentProcess } from '../helpers/agent-process.js';
import { tempDir, waitFor } from '../helpers/core.js';
import { startFakeConsole, type FakeConsole } from '../helpers/fake-console.js';

let fake: FakeConsole | undefined;
let agent: AgentProcess | undefined;
afterEach(async () => {
  await agent?.stop();
  await fake?.stop();
  agent = fake = undefined;
});

const fimEvents = (f: FakeConsole): AgentEvent[] =>
  f.frames
    .filter((x) => x.type === 'events')
    .flatMap((x) => x.raw.events as AgentEvent[])
    .filter((e) => e.source === 'fim');

describe('meridian agent --fim-paths', () => {
  it('a relative path: exit 2, the flag named, nothing started', async () => {
    const dir = await tempDir();
    const a = spawnAgent([
      '--url',
      'ws://127.0.0.1:9',
      '--token',
      't',
      '--state-dir',
      dir,
      '--fim-paths',
      '/etc/passwd,etc/shadow',
    ]);
    expect(await a.exited).toBe(2);
    expect(a.err()).toContain("--fim-paths 'etc/shadow' is not an absolute path");
    expect(a.out()).not.toContain('connecting');
  });

  it('watches the named file and sends its change as an events frame', async () => {
    const dir = await tempDir();
    const file = join(dir, 'sudoers');
    await writeFile(file, 'root ALL=(ALL) ALL\n');
    fake = await startFakeConsole({});
    agent = spawnAgent([
      '--url',
      fake.url,
      '--token',
      't',
      '--state-dir',
      join(dir, 'state'),
      '--fim-paths',
      file,
      '--no-ports',
    ]);
    await waitFor(
      () => existsSync(join(dir, 'state', 'fim-baseline.json')),
      undefined,
      'the baseline',
    );
    await appendFile(file, 'eve ALL=(ALL) NOPASSWD: ALL\n');
    const [e] = await waitFor(
      () => fimEvents(fake!).length > 0 && fimEvents(fake!),
      undefined,
      'the fim event',
    );
    expect(e!.attributes).toMatchObject({
      'event.type': 'fim_change',
      path: file,
      change: 'modified',
    });
  });
});
