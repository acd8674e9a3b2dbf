/** Series identity inside an agent: name plus sorted labels. */
export function seriesKey(
  name: string,
  labels: Readonly<Record<string, string>> | undefined,
): string {
  if (!labels) return name;
  const keys = Object.keys(labels);
  if (keys.length === 0) return name;
  keys.sort();
  let key = name;
  // Label values cannot hold control characters (the protocol refuses them), so these
  // separators are unambiguous.
  for (const k of keys) key += `\u0001${k}\u0002${labels[k]}`;
  return key;
}
