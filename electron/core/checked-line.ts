// One NDJSON line with a CRC-32 of its payload: `<crc32 hex> <payload>\n`. The metric WAL
// and the record logs (agent registry, …) write these, so a torn or flipped line is found
// on replay and skipped instead of being trusted.
import { crc32 } from 'node:zlib';

export function encodeLine(payload: string): string {
  return `${crc32(payload).toString(16).padStart(8, '0')} ${payload}\n`;
}

/** The payload of a line (without its newline), or null for a torn or corrupt line. */
export function decodeLine(line: string): string | null {
  if (line.length < 10 || line[8] !== ' ') return null;
  const payload = line.slice(9);
  return crc32(payload).toString(16).padStart(8, '0') === line.slice(0, 8) ? payload : null;
}
