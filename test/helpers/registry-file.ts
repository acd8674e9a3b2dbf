// Read <data-dir>/agents.ndjson the simple way (not through the code under test): each line is
// `<crc32> ["p",id,agent]` or `<crc32> ["d",id]`; the last line for an id wins.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Agent } from '../../shared/model.js';

export async function readRegistryFile(dataDir: string): Promise<{
  agents: Map<string, Agent>;
  lines: number;
}> {
  const text = await readFile(join(dataDir, 'agents.ndjson'), 'utf8');
  const agents = new Map<string, Agent>();
  const lines = text.split('\n').filter((l) => l !== '');
  for (const line of lines) {
    const [op, id, agent] = JSON.parse(line.slice(9)) as ['p' | 'd', string, Agent?];
    if (op === 'p') agents.set(id, agent!);
    else agents.delete(id);
  }
  return { agents, lines: lines.length };
}
