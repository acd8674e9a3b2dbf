// The runbook book: schema and semantic checks naming the field, dry_run by default, mode
// changes, secret headers never shown, durable in runbooks.json (0600), every change audited.
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../shared/api.js';
import type { RunbookInput } from '../../shared/recovery.js';
import { InputError } from '../../electron/core/incidents/incident-errors.js';
import { REDACTED } from '../../electron/core/recovery/runbook-rules.js';
import { RunbookBook } from '../../electron/core/recovery/runbook-book.js';
import { diskRunbook } from './support/recovery-fixture.js';

const RULES = new Set(['disk_usage', 'agent_offline']);

describe('runbook book', () => {
  let dir = '';
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = '';
  });

  async function book(audit: AuditEntry[] = []) {
    dir ||= await mkdtemp(join(tmpdir(), 'meridian-runbooks-'));
    let n = 0;
    const b = new RunbookBook({
      dataDir: dir,
      now: () => 1_700_000_000_000 + n++,
      audit: {
        record: (e) => {
          const entry: AuditEntry = {
            ...e,
            before: e.before,
            after: e.after,
            id: `aud-${audit.length}`,
            seq: audit.length,
            at: 0,
            prev: '',
            hash: '',
          };
          audit.push(entry);
          return Promise.resolve(entry);
        },
      },
      ruleExists: (id) => RULES.has(id),
    });
    await b.load();
    return b;
  }

  const fieldOf = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (err) {
      if (err instanceof InputError) return [err.field, err.message];
      throw err;
    }
    return null;
  };

  it('refuses what cannot be a safe runbook, naming the field', async () => {
    const b = await book();
    const base = diskRunbook();
    const cases: [RunbookInput | Record<string, unknown>, string, RegExp][] = [
      [
        { ...base, steps: [{ kind: 'wait', ms: 10 }, base.steps[1]!] },
        'steps',
        /at least one action or http step/,
      ],
      [
        { ...base, steps: [base.steps[1]!, base.steps[0]!] },
        'steps/1',
        /a verify step must follow/,
      ],
      [
        { ...base, trigger: { ruleIds: ['disk_usage', 'nope'] } },
        'trigger/ruleIds/1',
        /no rule nope/,
      ],
      [
        {
          ...base,
          steps: [
            { kind: 'action', action: 'clean_tmp', params: { dir: '{{labels.mount}}{{shell}}' } },
            base.steps[1]!,
          ],
        },
        'steps/0/params/dir',
        /unknown placeholder \{\{shell\}\}/,
      ],
      [
        { ...base, steps: [{ kind: 'action', action: 'rm -rf /' }, base.steps[1]!] },
        'steps/0/action',
        /Expected string to match/,
      ],
      [
        {
          ...base,
          steps: [
            { kind: 'http', name: 'x', method: 'POST', url: 'file:///etc/passwd' },
            base.steps[1]!,
          ],
        },
        'steps/0/url',
        /http or https/,
      ],
      [
        {
          ...base,
          steps: [
            { kind: 'http', name: 'x', method: 'POST', url: 'https://u:p@awx.example/' },
            base.steps[1]!,
          ],
        },
        'steps/0/url',
        /credentials/,
      ],
      [
        {
          ...base,
          steps: [
            {
              kind: 'http',
              name: 'x',
              method: 'POST',
              url: 'https://awx.example/',
              statusUrl: '{{response.url}}',
            },
            base.steps[1]!,
          ],
        },
        'steps/0/statusField',
        /required with statusUrl/,
      ],
      // A value from an agent's labels must never choose where a request goes, nor reshape it.
      [
        {
          ...base,
          steps: [
            { kind: 'http', name: 'x', method: 'POST', url: 'https://{{labels.site}}/launch/' },
            base.steps[1]!,
          ],
        },
        'steps/0/url',
        /\{\{labels\.site\}\} cannot stand in the scheme, host or port/,
      ],
      [
        {
          ...base,
          steps: [
            { kind: 'http', name: 'x', method: 'POST', url: 'https://awx{{region}}.example/' },
            base.steps[1]!,
          ],
        },
        'steps/0/url',
        /cannot stand in the scheme, host or port/,
      ],
      [
        {
          ...base,
          steps: [
            {
              kind: 'http',
              name: 'x',
              method: 'POST',
              url: 'https://awx.example/',
              statusUrl: '//{{labels.site}}/jobs/1/',
              statusField: 'status',
              successValues: ['ok'],
            },
            base.steps[1]!,
          ],
        },
        'steps/0/statusUrl',
        /cannot stand in the scheme, host or port/,
      ],
      [
        {
          ...base,
          steps: [
            {
              kind: 'http',
              name: 'x',
              method: 'POST',
              url: 'https://awx.example/',
              headers: { 'X-Host': '{{agent.hostname}}' },
            },
            base.steps[1]!,
          ],
        },
        'steps/0/headers/X-Host',
        /no placeholder in a header/,
      ],
      [
        {
          ...base,
          steps: [
            {
              kind: 'http',
              name: 'x',
              method: 'POST',
              url: 'https://awx.example/',
              body: '{"limit": {{labels.n}}}',
            },
            base.steps[1]!,
          ],
        },
        'steps/0/body',
        /must be JSON, each placeholder inside a string/,
      ],
      [
        {
          ...base,
          steps: [
            {
              kind: 'http',
              name: 'x',
              method: 'POST',
              url: 'https://awx.example/',
              body: '{"{{labels.k}}": "v"}',
            },
            base.steps[1]!,
          ],
        },
        'steps/0/body',
        /placeholder in a field name/,
      ],
      [
        { ...base, guardrails: { maxRunsPerHour: 0 } },
        'guardrails/maxRunsPerHour',
        /greater or equal/,
      ],
      [{ ...base, extra: 1 }, 'extra', /Unexpected property/],
    ];
    for (const [input, field, message] of cases) {
      const got = await fieldOf(b.create(input, 'alice'));
      expect(got?.[0], JSON.stringify(input)).toBe(field);
      expect(got?.[1]).toMatch(message);
    }
    expect(b.all()).toEqual([]);
  });

  it('placeholders in the path, query and JSON strings of an http step are accepted', async () => {
    const b = await book();
    const made = await b.create(
      {
        ...diskRunbook(),
        steps: [
          {
            kind: 'http',
            name: 'launch',
            method: 'POST',
            url: 'https://awx.example/api/v2/hosts/{{labels.site}}/launch/?region={{region}}#{{agent.id}}',
            body: '{"limit":"{{agent.hostname}}","extra_vars":{"sites":["{{labels.site}}"]}}',
            statusUrl: '{{response.url}}',
            statusField: 'status',
            successValues: ['successful'],
          },
          diskRunbook().steps[1]!,
        ],
      },
      'alice',
    );
    expect(made.steps[0]).toMatchObject({ kind: 'http', statusUrl: '{{response.url}}' });
  });

  it('a new runbook is a dry run, guardrails defaulted; mode changes; all durable in runbooks.json and audited', async () => {
    const audit: AuditEntry[] = [];
    const b = await book(audit);
    const input = diskRunbook();
    delete input.mode;
    delete input.id;
    const made = await b.create(input, 'alice');
    expect(made).toMatchObject({
      id: 'free-disk',
      mode: 'dry_run',
      enabled: true,
      updatedBy: 'alice',
      guardrails: {
        maxRunsPerAgentPerHour: 3,
        maxRunsPerHour: 20,
        cooldownMs: 600_000,
        maxConcurrentAgents: 3,
        maxRegionPercent: 10,
      },
    });
    await expect(b.create(input, 'alice')).rejects.toThrow(/exists already/);
    const switched = await b.setMode('free-disk', 'approval', 'bob');
    expect(switched).toMatchObject({ mode: 'approval', updatedBy: 'bob' });
    // An edit that does not name a mode keeps it.
    const edited = await b.replace('free-disk', { ...input, description: 'cleans /tmp' }, 'carol');
    expect(edited).toMatchObject({ mode: 'approval', description: 'cleans /tmp' });
    await expect(b.replace('free-disk', { ...input, id: 'other' }, 'carol')).rejects.toThrow(
      /cannot change/,
    );
    expect(audit.map((e) => `${e.action}:${e.by}`)).toEqual([
      'runbook.create:alice',
      'runbook.mode:bob',
      'runbook.update:carol',
    ]);
    expect((audit[1]!.before as { mode: string }).mode).toBe('dry_run');
    expect((await stat(join(dir, 'runbooks.json'))).mode & 0o777).toBe(0o600);
    const again = await book();
    expect(again.get('free-disk')).toMatchObject({ mode: 'approval', description: 'cleans /tmp' });
    await again.remove('free-disk', 'dave');
    expect((await book()).all()).toEqual([]);
  });

  it('secret headers (an AWX token) are never shown; sent back redacted, the stored one is kept', async () => {
    const audit: AuditEntry[] = [];
    const b = await book(audit);
    const input: RunbookInput = {
      ...diskRunbook(),
      steps: [
        {
          kind: 'http',
          name: 'launch',
          method: 'POST',
          url: 'https://awx.example/api/v2/job_templates/7/launch/',
          headers: { Authorization: 'Bearer s3cret-token', 'X-Team': 'ops' },
        },
        diskRunbook().steps[1]!,
      ],
    };
    const shown = await b.create(input, 'alice');
    expect(JSON.stringify(shown)).not.toContain('s3cret-token');
    expect(JSON.stringify(audit)).not.toContain('s3cret-token');
    const step = shown.steps[0]!;
    expect(step.kind === 'http' && step.headers).toEqual({
      Authorization: REDACTED,
      'X-Team': 'ops',
    });
    await b.replace('disk', { ...input, steps: shown.steps }, 'bob');
    const stored = b.get('disk')!.steps[0]!;
    expect(stored.kind === 'http' && stored.headers?.Authorization).toBe('Bearer s3cret-token');
    // Another path on the same origin, same step: still the same call, the secret stays.
    const launch = shown.steps[0]! as Extract<RunbookInput['steps'][number], { kind: 'http' }>;
    const moved = { ...launch, url: 'https://awx.example/api/v2/job_templates/8/launch/' };
    await b.replace('disk', { ...input, steps: [moved, input.steps[1]!] }, 'bob');
    const kept = b.get('disk')!.steps[0]!;
    expect(kept.kind === 'http' && kept.headers?.Authorization).toBe('Bearer s3cret-token');
    // Pointed at another origin, or renamed: the token is not carried over.
    for (const edit of [
      { ...launch, url: 'https://attacker.example/api/v2/job_templates/7/launch/' },
      { ...launch, url: 'https://awx.example:8443/api/v2/job_templates/7/launch/' },
      { ...launch, name: 'something else' },
    ]) {
      const got = await fieldOf(
        b.replace('disk', { ...input, steps: [edit, input.steps[1]!] }, 'eve'),
      );
      expect(got?.[0], edit.url).toBe('steps/0/headers/Authorization');
      expect(got?.[1]).toMatch(/give the value again/);
    }
    const still = b.get('disk')!.steps[0]!;
    expect(still.kind === 'http' && still.url).toBe(moved.url);
  });

  it('a corrupt runbooks.json: the last good copy loads and the problem is reported', async () => {
    const b = await book();
    await b.create(diskRunbook(), 'alice');
    await b.setMode('disk', 'approval', 'alice'); // runbooks.json.bak now holds the first write
    await writeFile(join(dir, 'runbooks.json'), '{"version":1,"runbooks":[{"id":');
    const again = await book();
    expect(again.recovery).toMatchObject({ loaded: 'backup' });
    expect(again.get('disk')).toMatchObject({ mode: 'automatic' });
    expect(await readFile(again.recovery!.preservedAs!, 'utf8')).toContain('"runbooks":[{"id":');
  });
});
