// One remote-write request over fetch, with the headers the 1.0 spec asks for.
import type { RemoteWriteTarget } from './config.js';
import type { PostResult } from './sender.js';

export async function postWriteRequest(
  target: RemoteWriteTarget,
  body: Uint8Array,
  signal: AbortSignal,
): Promise<PostResult> {
  const res = await fetch(target.url, {
    method: 'POST',
    body,
    headers: {
      ...target.headers,
      'Content-Type': 'application/x-protobuf',
      'Content-Encoding': 'snappy',
      'X-Prometheus-Remote-Write-Version': '0.1.0',
      'User-Agent': 'meridian-remote-write',
    },
    signal: AbortSignal.any([signal, AbortSignal.timeout(target.timeoutMs)]),
  });
  const text = res.ok ? '' : (await res.text().catch(() => '')).slice(0, 200);
  if (res.ok) await res.body?.cancel();
  return { status: res.status, retryAfter: res.headers.get('retry-after'), text };
}
