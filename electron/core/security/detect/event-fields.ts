// How a rule's field name finds its value in an event: the agent's attributes first (user,
// src_ip, event.type, …), then the event's own fields and the console's context for it.
import type { SecurityEvent } from './types.js';

export type FieldValue = string | number | boolean | undefined;
export type FieldGetter = (e: SecurityEvent) => FieldValue;

const TOP_LEVEL: Record<string, (e: SecurityEvent) => FieldValue> = {
  ts: (e) => e.ts,
  category: (e) => e.category,
  severity: (e) => e.severity,
  source: (e) => e.source,
  message: (e) => e.message,
  agentId: (e) => e.agentId,
  hostname: (e) => e.hostname,
  regionId: (e) => e.regionId,
};

/** A getter for one field, built once per rule so matching does no name parsing. */
export function fieldGetter(name: string): FieldGetter {
  const top = Object.hasOwn(TOP_LEVEL, name) ? TOP_LEVEL[name] : undefined;
  if (top) {
    return (e) => {
      const attrs = e.attributes;
      if (attrs !== undefined && Object.hasOwn(attrs, name)) return attrs[name];
      return top(e);
    };
  }
  return (e) => {
    const attrs = e.attributes;
    return attrs !== undefined && Object.hasOwn(attrs, name) ? attrs[name] : undefined;
  };
}

/** The value as group keys and distinct values see it: absent is ''. */
export function fieldText(v: FieldValue): string {
  return v === undefined ? '' : String(v);
}
