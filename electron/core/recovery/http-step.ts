// An http step: call an automation system (an AWX/Ansible job template launch, a Rundeck job,
// any webhook), check the response code, and optionally poll a status URL until the job says
// it succeeded or failed, or the step's time is up. No redirects are followed (a 3xx is a
// failure, as for notifications); the step's headers (its token) go only to the launch URL's
// own origin, never to a status URL elsewhere that an answer named. Templates are filled in for
// where they land (templates.ts): percent-encoded in URLs, inside JSON strings in the body;
// headers are sent as written.
import type { ActionStatus } from '../../../shared/protocol.js';
import { MAX_ACTION_OUTPUT_BYTES } from '../../../shared/protocol.js';
import type { HttpStep } from '../../../shared/recovery.js';
import type { Clock } from '../clock.js';
import type { FetchFn } from '../notify/http-post.js';
import {
  dotted,
  placeholders,
  substituteJson,
  substituteUrl,
  TemplateError,
  type TemplateContext,
} from './templates.js';

export const HTTP_STEP_DEFAULT_TIMEOUT_MS = 5 * 60_000;
export const HTTP_POLL_DEFAULT_MS = 2_000;
/** One request may take at most this long (the step's own timeout bounds the polling). */
const REQUEST_TIMEOUT_MS = 30_000;

export interface HttpStepDeps {
  clock: Clock;
  fetch: FetchFn;
}

export interface HttpStepOutcome {
  status: ActionStatus;
  /** The launch call's HTTP status (null: no answer). */
  httpStatus: number | null;
  /** One line: what happened. */
  text: string;
  output: string;
  outputTruncated: boolean;
  durationMs: number;
}

interface Answer {
  status: number | null;
  text: string;
  json: unknown;
  error: string | null;
}

async function call(
  fetchFn: FetchFn,
  method: string,
  url: string,
  headers: Record<string, string>,
  body: string | undefined,
): Promise<Answer> {
  try {
    const res = await fetchFn(url, {
      method,
      headers: {
        'User-Agent': 'Meridian',
        Accept: 'application/json',
        ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body } : {}),
      redirect: 'manual',
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = (await res.text().catch(() => '')).slice(0, MAX_ACTION_OUTPUT_BYTES);
    let json: unknown = null;
    try {
      json = JSON.parse(text);
    } catch {
      // Not JSON: the text is still kept as output.
    }
    return { status: res.status, text, json, error: null };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    const timedOut = e.name === 'TimeoutError' || e.name === 'AbortError';
    const why = timedOut
      ? `no answer within ${REQUEST_TIMEOUT_MS} ms`
      : (e.cause?.code ?? e.message);
    return { status: null, text: '', json: null, error: why };
  }
}

const accepted = (step: HttpStep, status: number) =>
  step.expectStatus ? step.expectStatus.includes(status) : status >= 200 && status < 300;

function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.setTimeout(resolve, ms));
}

function cut(text: string): { output: string; outputTruncated: boolean } {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= MAX_ACTION_OUTPUT_BYTES) return { output: text, outputTruncated: false };
  return {
    output: bytes.subarray(0, MAX_ACTION_OUTPUT_BYTES).toString('utf8'),
    outputTruncated: true,
  };
}

/** Run the step; never throws (a template that cannot be filled is a failed step). */
export async function runHttpStep(
  step: HttpStep,
  ctx: TemplateContext,
  deps: HttpStepDeps,
): Promise<HttpStepOutcome> {
  const started = deps.clock.now();
  const deadline = started + (step.timeoutMs ?? HTTP_STEP_DEFAULT_TIMEOUT_MS);
  const done = (
    status: ActionStatus,
    httpStatus: number | null,
    text: string,
    output: string,
  ): HttpStepOutcome => ({
    status,
    httpStatus,
    text,
    ...cut(output),
    durationMs: deps.clock.now() - started,
  });
  let url: string;
  let body: string | undefined;
  const headers: Record<string, string> = {};
  try {
    url = substituteUrl(step.url, ctx);
    body = step.body === undefined ? undefined : substituteJson(step.body, ctx);
    for (const [k, v] of Object.entries(step.headers ?? {})) {
      // Refused when saved; a runbook stored before that is refused here.
      if (placeholders(v).length > 0)
        throw new TemplateError(`header ${k} names a placeholder: headers are sent as written`);
      headers[k] = v;
    }
  } catch (err) {
    return done('refused', null, `${step.name}: ${(err as Error).message}`, '');
  }
  const launch = await call(deps.fetch, step.method, url, headers, body);
  if (launch.status === null)
    return done('failed', null, `${step.name}: ${launch.error}`, launch.error ?? '');
  if (!accepted(step, launch.status))
    return done(
      'failed',
      launch.status,
      `${step.name}: ${step.method} answered HTTP ${launch.status}`,
      launch.text,
    );
  if (step.statusUrl === undefined)
    return done('succeeded', launch.status, `${step.name}: HTTP ${launch.status}`, launch.text);

  let statusUrl: string;
  try {
    statusUrl = new URL(substituteUrl(step.statusUrl, { ...ctx, response: launch.json }), url).href;
  } catch (err) {
    return done(
      'failed',
      launch.status,
      `${step.name}: status URL: ${(err as Error).message}`,
      launch.text,
    );
  }
  // The token goes where the step was told to send it, not wherever an answer points.
  const pollHeaders = new URL(statusUrl).origin === new URL(url).origin ? headers : {};
  const field = step.statusField!;
  const every = step.pollEveryMs ?? HTTP_POLL_DEFAULT_MS;
  let last = '';
  for (;;) {
    if (deps.clock.now() + every > deadline) break;
    await sleep(deps.clock, every);
    const answer = await call(deps.fetch, 'GET', statusUrl, pollHeaders, undefined);
    if (answer.status === null || !(answer.status >= 200 && answer.status < 300)) {
      last = answer.error ?? `HTTP ${answer.status}`;
      continue;
    }
    const value = dotted(answer.json, field);
    last = `${field} = ${JSON.stringify(value)}`;
    const v = typeof value === 'string' || typeof value === 'number' ? String(value) : null;
    if (v !== null && step.successValues!.includes(v))
      return done(
        'succeeded',
        launch.status,
        `${step.name}: ${last}`,
        `${launch.text}\n${answer.text}`,
      );
    if (v !== null && (step.failureValues ?? []).includes(v))
      return done(
        'failed',
        launch.status,
        `${step.name}: ${last}`,
        `${launch.text}\n${answer.text}`,
      );
  }
  return done(
    'timeout',
    launch.status,
    `${step.name}: not done within ${Math.round((deadline - started) / 1000)} s (last: ${last || 'no answer'})`,
    launch.text,
  );
}
