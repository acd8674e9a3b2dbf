// The agent's actions file: the only things the console can ever make this agent run. Parsed
// and checked whole at start-up; a file with any fault is refused with a message naming the
// field, never loaded half-valid. Hand-written checks (not TypeBox): the agent does not load
// the schema library (see shared/protocol-codes.ts).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MAX_ACTION_PARAM_CHARS, MAX_ACTION_PARAMS } from '../../shared/protocol-codes.js';
import {
  MAX_ARGV_TOTAL_CHARS,
  PARAM_NAME,
  compileParamPattern,
  hasControlChar,
  parseElement,
  type ArgPart,
  type ParamRule,
} from './argv.js';

export interface ParamDefinition extends ParamRule {
  /** `pattern`: as written (anchored `^…$`); `regex`: compiled to match the whole value. */
  description?: string;
}

export interface ActionDefinition {
  name: string;
  description: string;
  /** The program and its arguments as parts: literal text (`@node`, `@scripts/` resolved) and placeholders. */
  argv: ArgPart[][];
  /** The argv as the file wrote it, for messages. */
  argvTemplate: string[];
  params: Map<string, ParamDefinition>;
  timeoutMs: number;
  /** Run as this user (uid/gid from /etc/passwd); absent: the agent's own user. */
  user?: string;
  requiresApproval: boolean;
}

export interface ActionsFile {
  /** Where it was read from, for messages. */
  source: string;
  actions: Map<string, ActionDefinition>;
}

/** A file that cannot be used; `field` is the path of the bad field (`actions[1].params.unit.pattern`). */
export class ActionsFileError extends Error {
  constructor(
    readonly source: string,
    readonly field: string,
    detail: string,
  ) {
    super(`actions file ${source}: ${field ? `${field}: ` : ''}${detail}`);
  }
}

export interface ParseOptions {
  source: string;
  /** What `@node` stands for: the Node binary running this agent. */
  nodePath?: string;
  /** What `@scripts/` stands for: the scripts shipped with the agent (dist/agent/actions/scripts). */
  scriptsDir?: string;
}

export const MAX_ACTIONS = 64;
export const MAX_ARGV = 64;
export const MAX_ARG_CHARS = 4096;
/** Longest timeout a file may give an action: one day. */
export const MAX_TIMEOUT_MS = 86_400_000;
const ACTION_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const USER_NAME = /^[A-Za-z_][A-Za-z0-9._-]{0,31}$/;
const ACTION_FIELDS = [
  'name',
  'description',
  'argv',
  'params',
  'timeoutMs',
  'user',
  'requiresApproval',
];
const PARAM_FIELDS = ['pattern', 'description', 'default', 'allowLeadingDash'];

/** The shipped scripts, next to this module once compiled (dist/agent/actions/scripts). */
export function defaultScriptsDir(): string {
  return fileURLToPath(new URL('./scripts/', import.meta.url));
}

export function loadActionsFile(
  path: string,
  opts: Omit<ParseOptions, 'source'> = {},
): ActionsFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ActionsFileError(path, '', `cannot be read (${(err as Error).message})`);
  }
  return parseActionsFile(text, { ...opts, source: path });
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export function parseActionsFile(text: string, opts: ParseOptions): ActionsFile {
  const fail = (field: string, detail: string): never => {
    throw new ActionsFileError(opts.source, field, detail);
  };
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    return fail('', `is not JSON (${(err as Error).message})`);
  }
  if (!isObject(doc)) return fail('', 'must be a JSON object { "actions": [ … ] }');
  for (const key of Object.keys(doc))
    if (key !== 'actions') fail(key, 'unknown field (the file holds only "actions")');
  const list = doc.actions;
  if (!Array.isArray(list)) return fail('actions', 'must be an array');
  if (list.length > MAX_ACTIONS) fail('actions', `at most ${MAX_ACTIONS} actions`);
  const actions = new Map<string, ActionDefinition>();
  list.forEach((raw, i) => {
    const def = parseAction(raw, `actions[${i}]`, opts, fail);
    if (actions.has(def.name)) fail(`actions[${i}].name`, `'${def.name}' is declared twice`);
    actions.set(def.name, def);
  });
  return { source: opts.source, actions };
}

type Fail = (field: string, detail: string) => never;

function parseAction(raw: unknown, at: string, opts: ParseOptions, fail: Fail): ActionDefinition {
  if (!isObject(raw)) return fail(at, 'must be an object');
  for (const key of Object.keys(raw)) {
    if (!ACTION_FIELDS.includes(key))
      fail(`${at}.${key}`, `unknown field (allowed: ${ACTION_FIELDS.join(', ')})`);
  }
  const { name, description, argv, params, timeoutMs, user, requiresApproval } = raw;
  if (typeof name !== 'string' || !ACTION_NAME.test(name))
    fail(`${at}.name`, `must match ${ACTION_NAME.source}`);
  if (typeof description !== 'string' || description.length === 0 || description.length > 512)
    fail(`${at}.description`, 'must be a string of 1 to 512 characters');
  if (
    typeof timeoutMs !== 'number' ||
    !Number.isInteger(timeoutMs) ||
    timeoutMs < 1 ||
    timeoutMs > MAX_TIMEOUT_MS
  )
    fail(`${at}.timeoutMs`, `must be an integer from 1 to ${MAX_TIMEOUT_MS} (ms)`);
  if (user !== undefined && (typeof user !== 'string' || !USER_NAME.test(user)))
    fail(`${at}.user`, `must be a user name matching ${USER_NAME.source}`);
  if (requiresApproval !== undefined && typeof requiresApproval !== 'boolean')
    fail(`${at}.requiresApproval`, 'must be true or false');
  const paramDefs = parseParams(params, `${at}.params`, fail);
  const parts = parseArgv(argv, `${at}.argv`, paramDefs, opts, fail);
  return {
    name: name as string,
    description: description as string,
    argv: parts,
    argvTemplate: argv as string[],
    params: paramDefs,
    timeoutMs: timeoutMs as number,
    ...(user !== undefined ? { user: user as string } : {}),
    requiresApproval: requiresApproval === true,
  };
}

function parseParams(raw: unknown, at: string, fail: Fail): Map<string, ParamDefinition> {
  const out = new Map<string, ParamDefinition>();
  if (raw === undefined) return out;
  if (!isObject(raw)) return fail(at, 'must be an object of parameter name → { "pattern": … }');
  const names = Object.keys(raw);
  if (names.length > MAX_ACTION_PARAMS) fail(at, `at most ${MAX_ACTION_PARAMS} parameters`);
  for (const name of names) {
    const field = `${at}.${name}`;
    if (!PARAM_NAME.test(name)) fail(field, `parameter names must match ${PARAM_NAME.source}`);
    const def = raw[name];
    if (!isObject(def)) return fail(field, 'must be an object { "pattern": "^…$" }');
    for (const key of Object.keys(def)) {
      if (!PARAM_FIELDS.includes(key))
        fail(`${field}.${key}`, `unknown field (allowed: ${PARAM_FIELDS.join(', ')})`);
    }
    if (typeof def.pattern !== 'string') return fail(`${field}.pattern`, 'is required (a string)');
    const compiled = compileParamPattern(def.pattern);
    if ('error' in compiled) return fail(`${field}.pattern`, compiled.error);
    if (
      def.description !== undefined &&
      (typeof def.description !== 'string' || def.description.length > 512)
    )
      fail(`${field}.description`, 'must be a string of at most 512 characters');
    if (def.allowLeadingDash !== undefined && typeof def.allowLeadingDash !== 'boolean')
      fail(`${field}.allowLeadingDash`, 'must be true or false');
    const param: ParamDefinition = {
      name,
      pattern: def.pattern,
      regex: compiled.regex,
      ...(typeof def.description === 'string' ? { description: def.description } : {}),
      allowLeadingDash: def.allowLeadingDash === true || /^\^\\?-/.test(def.pattern),
    };
    if (def.default !== undefined) {
      if (typeof def.default !== 'string' || def.default.length > MAX_ACTION_PARAM_CHARS)
        fail(`${field}.default`, `must be a string of at most ${MAX_ACTION_PARAM_CHARS} chars`);
      if (!param.regex.test(def.default as string))
        fail(`${field}.default`, `'${def.default as string}' does not match its own pattern`);
      param.default = def.default as string;
    }
    out.set(name, param);
  }
  return out;
}

function parseArgv(
  raw: unknown,
  at: string,
  params: Map<string, ParamDefinition>,
  opts: ParseOptions,
  fail: Fail,
): ArgPart[][] {
  if (!Array.isArray(raw) || raw.length === 0 || raw.length > MAX_ARGV)
    return fail(
      at,
      `must be an array of 1 to ${MAX_ARGV} strings: the program, then its arguments`,
    );
  const used = new Set<string>();
  const argv = raw.map((el: unknown, i): ArgPart[] => {
    const field = `${at}[${i}]`;
    if (typeof el !== 'string' || el.length === 0 || el.length > MAX_ARG_CHARS)
      return fail(field, `must be a non-empty string of at most ${MAX_ARG_CHARS} chars`);
    if (hasControlChar(el)) fail(field, 'must not contain control characters');
    const builtin = resolveBuiltin(el, field, opts, fail);
    if (builtin !== null) return [{ text: builtin }];
    const parsed = parseElement(el.startsWith('@@') ? el.slice(1) : el);
    if ('error' in parsed) return fail(field, parsed.error);
    for (const p of parsed.parts) {
      if (!('param' in p)) continue;
      if (!params.has(p.param)) fail(field, `placeholder {${p.param}} is not declared in params`);
      used.add(p.param);
    }
    return parsed.parts;
  });
  const total = argv.flat().reduce((n, p) => n + ('text' in p ? p.text.length : 0), 0);
  if (total > MAX_ARGV_TOTAL_CHARS)
    fail(at, `longer than ${MAX_ARGV_TOTAL_CHARS} characters in all (it is echoed in results)`);
  // A program chosen by a parameter: only a file in a fixed directory (the value may hold no '/').
  const program = argv[0]!;
  if (program.some((p) => 'param' in p)) {
    const first = program[0]!;
    if (!('text' in first) || !first.text.startsWith('/') || !first.text.endsWith('/'))
      fail(`${at}[0]`, 'a program named by a parameter must be /an/absolute/dir/{param}');
  }
  const paramsField = at.replace(/argv$/, 'params');
  for (const name of params.keys())
    if (!used.has(name)) fail(`${paramsField}.${name}`, 'is declared but not used in argv');
  return argv;
}

/**
 * `@node` (the Node binary running the agent) and `@scripts/<file>` (a script shipped with the
 * agent) as whole elements: fixed by the agent, never by the console. `@@…` is a literal `@…`.
 * Null: not a built-in.
 */
function resolveBuiltin(el: string, field: string, opts: ParseOptions, fail: Fail): string | null {
  if (!el.startsWith('@') || el.startsWith('@@')) return null;
  if (el === '@node') return opts.nodePath ?? process.execPath;
  if (el.startsWith('@scripts/')) {
    const rest = el.slice('@scripts/'.length);
    if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(rest))
      fail(field, '@scripts/ must be followed by a bare file name');
    const dir = opts.scriptsDir ?? defaultScriptsDir();
    return `${dir.endsWith('/') ? dir : `${dir}/`}${rest}`;
  }
  return fail(field, `unknown built-in '${el}' (@node, @scripts/<file>; @@ for a literal @)`);
}
