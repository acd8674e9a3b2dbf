// The runbooks: checked (schema, then runbook-rules.ts), kept in <data-dir>/runbooks.json with
// the same crash-safe write as state.json and notify.json (temp file, fsync, rename, previous
// good copy kept; 0600, since http steps may carry tokens in headers), and every change written
// to the audit trail before it is reported done. Not in state.json: small, edited rarely, and
// owned by the recovery service alone.
import { join } from 'node:path';
import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import {
  ActionStep,
  EscalateStep,
  HttpStep,
  RunbookInput,
  VerifyCondition,
  VerifyStep,
  WaitStep,
  RUNBOOK_MODES,
  type Runbook,
  type RunbookMode,
} from '../../../shared/recovery.js';
import { ConflictError, InputError, NotFoundError } from '../incidents/incident-errors.js';
import type { AuditLog } from '../audit/audit-log.js';
import { DurableJsonFile, type Recovery } from '../state/durable-file.js';
import { checkRunbook, runbookFrom, runbookView } from './runbook-rules.js';

export const RUNBOOKS_FILE = 'runbooks.json';

interface RunbooksFile {
  version: 1;
  runbooks: Runbook[];
}

export interface RunbookBookDeps {
  /** null: in memory only (unit tests). */
  dataDir: string | null;
  now(): number;
  audit: Pick<AuditLog, 'record'>;
  /** Whether a rule with this id exists (a trigger must name one). */
  ruleExists(id: string): boolean;
  /** A runbook changed or went (null): runs waiting on it follow. */
  changed?(id: string, runbook: Runbook | null): void;
}

const compiled = new Map<TSchema, TypeCheck<TSchema>>();
const checker = (schema: TSchema) => {
  let c = compiled.get(schema);
  if (!c) compiled.set(schema, (c = TypeCompiler.Compile(schema)));
  return c;
};

/** The variant a step (by `kind`) or a verify condition (by `type`) was meant to be. */
const STEP_KINDS: Record<string, TSchema> = {
  action: ActionStep,
  http: HttpStep,
  wait: WaitStep,
  verify: VerifyStep,
  escalate: EscalateStep,
};
const CONDITION_TYPES: Record<string, TSchema> = Object.fromEntries(
  VerifyCondition.anyOf.map((s) => [s.properties.type.const, s]),
);

function firstError(schema: TSchema, value: unknown, path: string): [string, string] | null {
  const c = checker(schema);
  if (c.Check(value)) return null;
  const first = c.Errors(value).First()!;
  const at = `${path}${first.path}`;
  // A union names only itself ("steps/0: expected union value"): look inside the variant the
  // value says it is, so the field at fault is the one named.
  const inner = at.match(/^(.*\/steps\/\d+)(\/condition)?$/);
  if (inner) {
    const node = first.value as Record<string, unknown> | null;
    const variant = inner[2] ? CONDITION_TYPES[String(node?.type)] : STEP_KINDS[String(node?.kind)];
    if (variant && typeof node === 'object') return firstError(variant, node, at);
  }
  return [at, first.message];
}

/** Schema check with the field named, as the API's own validation does. */
function checkInput(body: unknown, prefix = ''): RunbookInput {
  const error = firstError(RunbookInput, body, '');
  if (!error) return body as RunbookInput;
  const field = `${prefix}${error[0].replace(/^\//, '')}`;
  throw new InputError(`${field || 'body'}: ${error[1]}`, field || 'body');
}

function parseFile(raw: unknown): RunbooksFile {
  const f = raw as Partial<RunbooksFile> | null;
  if (f?.version !== 1 || !Array.isArray(f.runbooks))
    throw new Error('runbooks.json: not a version 1 file');
  const runbooks = f.runbooks.map((r, i) => {
    const { createdAt, updatedAt, updatedBy, ...input } = r;
    checkInput(input, `runbooks/${i}/`);
    if (
      typeof createdAt !== 'number' ||
      typeof updatedAt !== 'number' ||
      typeof updatedBy !== 'string' ||
      !RUNBOOK_MODES.includes(r.mode)
    )
      throw new Error(`runbooks.json: runbooks/${i} lacks its dates or mode`);
    return r;
  });
  return { version: 1, runbooks };
}

export class RunbookBook {
  private readonly runbooks = new Map<string, Runbook>();
  private readonly file: DurableJsonFile<RunbooksFile> | null;
  private writing: Promise<void> = Promise.resolve();
  recovery: Recovery | null = null;

  constructor(private readonly deps: RunbookBookDeps) {
    this.file = deps.dataDir
      ? new DurableJsonFile(join(deps.dataDir, RUNBOOKS_FILE), parseFile, deps.now)
      : null;
  }

  async load(): Promise<void> {
    if (!this.file) return;
    const loaded = await this.file.read();
    this.recovery = this.file.recovery;
    for (const r of loaded?.runbooks ?? []) this.runbooks.set(r.id, r);
  }

  /** As stored (secrets included): for the recovery service only. */
  get(id: string): Runbook | undefined {
    return this.runbooks.get(id);
  }

  all(): Runbook[] {
    return [...this.runbooks.values()];
  }

  /** As the API shows it: secret header values redacted. */
  view(id: string): Runbook {
    return runbookView(this.must(id));
  }

  views(): Runbook[] {
    return this.all().map(runbookView);
  }

  async create(body: unknown, by: string): Promise<Runbook> {
    const input = this.check(body);
    const runbook = runbookFrom(input, undefined, this.deps.now(), by);
    if (this.runbooks.has(runbook.id))
      throw new ConflictError(`a runbook ${runbook.id} exists already`, 'conflict');
    this.runbooks.set(runbook.id, runbook);
    return this.commit(by, 'runbook.create', null, runbook);
  }

  async replace(id: string, body: unknown, by: string): Promise<Runbook> {
    const before = this.must(id);
    const input = this.check(body);
    if (input.id !== undefined && input.id !== id)
      throw new InputError(`id: must be ${id} (a runbook's id cannot change)`, 'id');
    const runbook = runbookFrom(input, before, this.deps.now(), by);
    this.runbooks.set(id, runbook);
    return this.commit(by, 'runbook.update', before, runbook);
  }

  async setMode(id: string, mode: RunbookMode, by: string): Promise<Runbook> {
    const before = this.must(id);
    const runbook = { ...before, mode, updatedAt: this.deps.now(), updatedBy: by };
    this.runbooks.set(id, runbook);
    return this.commit(by, 'runbook.mode', before, runbook);
  }

  async remove(id: string, by: string): Promise<void> {
    const before = this.must(id);
    this.runbooks.delete(id);
    await this.commit(by, 'runbook.delete', before, null);
  }

  private check(body: unknown): RunbookInput {
    const input = checkInput(body);
    checkRunbook(input, this.deps.ruleExists);
    return input;
  }

  private must(id: string): Runbook {
    const r = this.runbooks.get(id);
    if (!r) throw new NotFoundError(`no runbook ${id}`);
    return r;
  }

  /** Durable and audited before it is reported done; runs waiting on it follow. */
  private async commit(
    by: string,
    action: string,
    before: Runbook | null,
    after: Runbook | null,
  ): Promise<Runbook> {
    const id = (after ?? before)!.id;
    this.deps.changed?.(id, after);
    await Promise.all([
      this.persist(),
      this.deps.audit.record({
        by,
        action,
        target: id,
        before: before && runbookView(before),
        after: after && runbookView(after),
      }),
    ]);
    return runbookView((after ?? before)!);
  }

  /** One write at a time, in order; a failed write is the caller's error (the API's 500). */
  private persist(): Promise<void> {
    const file = this.file;
    if (!file) return Promise.resolve();
    const data: RunbooksFile = { version: 1, runbooks: this.all() };
    const next = this.writing.catch(() => {}).then(() => file.write(data));
    this.writing = next;
    return next;
  }
}
