/**
 * True when JSON text has a `"__proto__"` key. JSON.parse turns it into an own property,
 * which later object merges would treat as the prototype; every boundary refuses it.
 */
export function hasProtoKey(text: string): boolean {
  return text.includes('"__proto__"') && /"__proto__"\s*:/.test(text);
}
