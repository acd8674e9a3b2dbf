// The one way the notifier talks HTTP: POST JSON to an http(s) URL, with a timeout, no
// redirects followed (a 3xx is a failure: a receiver that moved should be reconfigured, and
// a redirect must not carry signed payloads elsewhere).
import type { SendResult } from './message.js';

export type FetchFn = typeof fetch;

export async function postJson(
  fetchFn: FetchFn,
  url: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<SendResult> {
  const protocol = new URL(url).protocol;
  if (protocol !== 'http:' && protocol !== 'https:')
    return { ok: false, status: null, error: `refused ${protocol} URL`, retryable: false };
  try {
    const res = await fetchFn(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'User-Agent': 'Meridian', ...headers },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    // Read at most a little of the answer, for the error message; never keep the socket busy.
    const text = res.ok ? '' : (await res.text().catch(() => '')).slice(0, 200);
    if (res.ok) await res.body?.cancel().catch(() => {});
    if (res.ok) return { ok: true, status: res.status, error: null, retryable: false };
    return {
      ok: false,
      status: res.status,
      error: `HTTP ${res.status}${text ? `: ${text}` : ''}`,
      retryable: res.status >= 500 || res.status === 429 || res.status === 408,
    };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    const timedOut = e.name === 'TimeoutError' || e.name === 'AbortError';
    const why = timedOut ? `no answer within ${timeoutMs} ms` : (e.cause?.code ?? e.message);
    return { ok: false, status: null, error: why, retryable: true };
  }
}
