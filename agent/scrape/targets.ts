// The endpoints `--scrape URL[,URL…]` names, checked once at start.

export interface ScrapeTarget {
  url: string;
  /** `host:port`, the `instance` label of what it exports. */
  instance: string;
}

/** Each URL of the comma-separated lists, or an error naming the one that is not http(s). */
export function parseScrapeTargets(lists: readonly string[]): ScrapeTarget[] | { error: string } {
  const out: ScrapeTarget[] = [];
  for (const raw of lists.flatMap((l) => l.split(',')).map((u) => u.trim())) {
    if (raw === '') continue;
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return { error: `'${raw}' is not a URL (e.g. http://127.0.0.1:9100/metrics)` };
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      return { error: `'${raw}' is not http:// or https://` };
    if (url.username || url.password)
      return { error: `'${raw}' carries credentials in the URL; not supported` };
    if (out.some((t) => t.url === url.href)) continue;
    const port = url.port || (url.protocol === 'https:' ? '443' : '80');
    out.push({ url: url.href, instance: `${url.hostname}:${port}` });
  }
  if (out.length === 0) return { error: 'names no URL' };
  return out;
}
