// The agent's key file: one key per console (by ingest URL), 0600, and a damaged file is an
// error naming it rather than a key silently lost (the agent would otherwise enrol again).
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { AGENT_KEY_FILE, FileCredentialStore } from '../../agent/credential-file.js';

let dir = '';
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const key = (n: number) => ({ agentId: `agt-${n}`, keyId: `key-${n}`, key: 'k'.repeat(43) });

it('keeps one key per console URL, 0600, and reads back what it wrote', async () => {
  dir = await mkdtemp(join(tmpdir(), 'meridian-agent-keys-'));
  const a = new FileCredentialStore(dir, 'wss://a:4781');
  const b = new FileCredentialStore(dir, 'wss://b:4781');
  expect(a.load()).toBeNull();
  a.save(key(1));
  b.save(key(2));
  expect(a.load()).toEqual(key(1));
  expect(b.load()).toEqual(key(2));
  expect(new FileCredentialStore(dir, 'wss://c:4781').load()).toBeNull();
  expect((await stat(join(dir, AGENT_KEY_FILE))).mode & 0o777).toBe(0o600);
  expect(Object.keys(JSON.parse(await readFile(join(dir, AGENT_KEY_FILE), 'utf8')))).toEqual([
    'wss://a:4781',
    'wss://b:4781',
  ]);
});

it('a damaged key file is an error naming it, not an empty store', async () => {
  dir = await mkdtemp(join(tmpdir(), 'meridian-agent-keys-'));
  await writeFile(join(dir, AGENT_KEY_FILE), JSON.stringify({ 'wss://a:4781': { agentId: 1 } }));
  expect(() => new FileCredentialStore(dir, 'wss://a:4781').load()).toThrow(
    `${join(dir, AGENT_KEY_FILE)}: the entry for wss://a:4781 is not an agent key`,
  );
  await writeFile(join(dir, AGENT_KEY_FILE), '{"torn');
  expect(() => new FileCredentialStore(dir, 'wss://a:4781').load()).toThrow(SyntaxError);
});
