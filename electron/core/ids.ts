import { randomUUID } from 'node:crypto';

/** Where new ids come from; tests pass a counter for readable, stable ids. */
export type IdSource = (prefix: string) => string;

export const randomIds: IdSource = (prefix) => `${prefix}-${randomUUID().slice(0, 13)}`;

export function counterIds(): IdSource {
  let n = 0;
  return (prefix) => `${prefix}-${++n}`;
}
