import { readFileSync } from 'node:fs';

/**
 * The soft "Max open files" limit from a /proc/<pid>/limits text, or null when the line is
 * missing or reads "unlimited". (Node has no getrlimit; Linux exposes it here.)
 */
export function parseOpenFilesLimit(limitsText: string): number | null {
  const line = limitsText.split('\n').find((l) => l.startsWith('Max open files'));
  if (!line) return null;
  const soft = line.slice('Max open files'.length).trim().split(/\s+/)[0];
  if (!soft || !/^\d+$/.test(soft)) return null;
  return Number(soft);
}

/** This process's open-files soft limit, or null where it cannot be read (not Linux). */
export function readOpenFilesLimit(path = '/proc/self/limits'): number | null {
  try {
    return parseOpenFilesLimit(readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
}
