// What makes a runbook acceptable beyond its schema (shared/recovery.ts): it does something (an
// action or http step), every such step is checked by a later verification, its trigger names
// rules that exist, its templates name only what a run knows and never stand where a value
// from an agent could redirect a request or reshape it (a URL's scheme, host or port, a
// header, outside a JSON string), its URLs are http(s) without credentials, and a polled
// status says which values mean done. Pure: throws an InputError
// naming the field, so the API can answer 400 with it.
import {
  RUNBOOK_GUARDRAIL_DEFAULTS,
  type Runbook,
  type RunbookInput,
  type RunbookStep,
} from '../../../shared/recovery.js';
import { InputError } from '../incidents/incident-errors.js';
import { knownPlaceholder, placeholders, replacePlaceholders } from './templates.js';

/** Header names whose values GET never shows (an AWX or Rundeck token). */
const SECRET_HEADER = /authorization|token|secret|password|api[-_]?key|cookie/i;
/** What GET shows instead of a secret header's value; a PUT sending it back keeps the stored one. */
export const REDACTED = '<redacted>';

function checkTemplates(text: string, field: string, allowResponse = false): void {
  for (const name of placeholders(text))
    if (!knownPlaceholder(name, allowResponse))
      throw new InputError(
        `${field}: unknown placeholder {{${name}}} (use {{labels.NAME}}, {{agent.hostname}}, {{agent.id}}, {{region}}${allowResponse ? ', {{response.FIELD}}' : ''})`,
        field,
      );
}

/** Each placeholder of a URL as a marker, to see where it lands once the URL is parsed. */
const marker = (i: number) => `tplmark${i}x`;

function checkUrl(raw: string, field: string, relativeOk: boolean): void {
  checkTemplates(raw, field, relativeOk);
  // Placeholders stand for (percent-encoded) values here; the URL around them must already be
  // sound. A value from an agent's labels must never choose where the request goes (with the
  // step's token): no placeholder in the scheme, host or port. `{{response.FIELD}}` is the
  // automation system's own answer (a status URL, often whole): it may.
  const names: string[] = [];
  const probe = replacePlaceholders(raw, (name) => marker(names.push(name) - 1)).replace(
    /\{\{[^}]*\}\}/g,
    'x',
  );
  let url: URL;
  try {
    url = relativeOk ? new URL(probe, 'http://base.invalid/') : new URL(probe);
  } catch {
    throw new InputError(`${field}: not a URL`, field);
  }
  names.forEach((name, i) => {
    if (name.startsWith('response.')) return;
    if (`${url.protocol}//${url.username}:${url.password}@${url.host}`.includes(marker(i)))
      throw new InputError(
        `${field}: {{${name}}} cannot stand in the scheme, host or port (a label must not choose where the request goes); use it in the path or query`,
        field,
      );
  });
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new InputError(`${field}: must be http or https`, field);
  if (url.username || url.password)
    throw new InputError(`${field}: must not carry credentials (use a header)`, field);
}

/** Placeholders in a body are filled inside its JSON strings only (templates.ts). */
function checkBody(body: string, field: string): void {
  checkTemplates(body, field);
  if (placeholders(body).length === 0) return;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new InputError(
      `${field}: with placeholders the body must be JSON, each placeholder inside a string ("{{agent.hostname}}")`,
      field,
    );
  }
  const keys = (v: unknown): string[] =>
    typeof v !== 'object' || v === null
      ? []
      : Array.isArray(v)
        ? v.flatMap(keys)
        : Object.entries(v).flatMap(([k, x]) => [k, ...keys(x)]);
  const key = keys(parsed).find((k) => placeholders(k).length > 0);
  if (key !== undefined)
    throw new InputError(`${field}: a placeholder in a field name (${key}): only in values`, field);
}

function checkStep(step: RunbookStep, i: number): void {
  const at = `steps/${i}`;
  if (step.kind === 'action') {
    for (const [name, value] of Object.entries(step.params ?? {}))
      checkTemplates(value, `${at}/params/${name}`);
  }
  if (step.kind === 'http') {
    checkUrl(step.url, `${at}/url`, false);
    if (step.body !== undefined) checkBody(step.body, `${at}/body`);
    // A header is sent as written: a value from an agent must not shape it.
    for (const [name, value] of Object.entries(step.headers ?? {}))
      if (placeholders(value).length > 0)
        throw new InputError(
          `${at}/headers/${name}: no placeholder in a header (headers are sent as written)`,
          `${at}/headers/${name}`,
        );
    if (step.statusUrl !== undefined) {
      checkUrl(step.statusUrl, `${at}/statusUrl`, true);
      if (step.statusField === undefined)
        throw new InputError(
          `${at}/statusField: required with statusUrl (AWX, Rundeck: status)`,
          `${at}/statusField`,
        );
      if (!step.successValues || step.successValues.length === 0)
        throw new InputError(
          `${at}/successValues: required with statusUrl (AWX: successful)`,
          `${at}/successValues`,
        );
    }
  }
  if (step.kind === 'verify' && step.condition.type === 'metric')
    for (const [name, value] of Object.entries(step.condition.labels ?? {}))
      checkTemplates(value, `${at}/condition/labels/${name}`);
}

/** Throws an InputError naming the first field at fault. */
export function checkRunbook(input: RunbookInput, ruleExists: (id: string) => boolean): void {
  input.trigger.ruleIds.forEach((id, j) => {
    if (!ruleExists(id))
      throw new InputError(`trigger/ruleIds/${j}: no rule ${id}`, `trigger/ruleIds/${j}`);
  });
  const acting = input.steps.findIndex((s) => s.kind === 'action' || s.kind === 'http');
  if (acting < 0)
    throw new InputError('steps: at least one action or http step is needed', 'steps');
  input.steps.forEach((step, i) => {
    checkStep(step, i);
    if (step.kind !== 'action' && step.kind !== 'http') return;
    if (!input.steps.slice(i + 1).some((s) => s.kind === 'verify'))
      throw new InputError(
        `steps/${i}: a verify step must follow this ${step.kind} step (verification decides success)`,
        `steps/${i}`,
      );
  });
}

/** `Clean /tmp on disk alerts!` → `clean-tmp-on-disk-alerts`. */
export function runbookSlug(name: string): string {
  const s = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  return s || 'runbook';
}

/** The origin a step's URL sends to (placeholders cannot stand in it), or null. */
function originOf(url: string): string | null {
  try {
    return new URL(url.replace(/\{\{[^}]*\}\}/g, 'x')).origin;
  } catch {
    return null;
  }
}

/**
 * The stored runbook for a checked body. New ones start in `dry_run` unless the body says
 * otherwise; an edit keeps the mode unless the body names one. Secret header values sent back
 * as REDACTED keep the stored value only where the step is still the same call: an http step
 * at the same place, with the same name and the same URL origin. Otherwise the token would go
 * wherever the edit now points: the value must be given again.
 */
export function runbookFrom(
  input: RunbookInput,
  stored: Runbook | undefined,
  now: number,
  by: string,
): Runbook {
  const steps = input.steps.map((step, i) => {
    if (step.kind !== 'http' || !step.headers) return step;
    const before = stored?.steps[i];
    const origin = originOf(step.url);
    const sameCall =
      before?.kind === 'http' &&
      before.name === step.name &&
      origin !== null &&
      originOf(before.url) === origin;
    const old = before?.kind === 'http' ? (before.headers ?? {}) : {};
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(step.headers)) {
      const field = `steps/${i}/headers/${k}`;
      if (v !== REDACTED) headers[k] = v;
      else if (old[k] === undefined) throw new InputError(`${field}: give the value`, field);
      else if (!sameCall)
        throw new InputError(
          `${field}: give the value again: the step's name or URL origin changed, and a stored secret only stays with the same call`,
          field,
        );
      else headers[k] = old[k];
    }
    return { ...step, headers };
  });
  return {
    id: stored?.id ?? input.id ?? runbookSlug(input.name),
    name: input.name,
    description: input.description ?? '',
    enabled: input.enabled ?? stored?.enabled ?? true,
    mode: input.mode ?? stored?.mode ?? 'dry_run',
    trigger: input.trigger,
    steps,
    guardrails: { ...RUNBOOK_GUARDRAIL_DEFAULTS, ...input.guardrails },
    createdAt: stored?.createdAt ?? now,
    updatedAt: now,
    updatedBy: by,
  };
}

/** What GET shows: secret header values replaced by REDACTED. */
export function runbookView(r: Runbook): Runbook {
  if (!r.steps.some((s) => s.kind === 'http' && s.headers)) return r;
  return {
    ...r,
    steps: r.steps.map((s) =>
      s.kind === 'http' && s.headers
        ? {
            ...s,
            headers: Object.fromEntries(
              Object.entries(s.headers).map(([k, v]) => [k, SECRET_HEADER.test(k) ? REDACTED : v]),
            ),
          }
        : s,
    ),
  };
}
