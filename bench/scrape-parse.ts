// What one scrape of node_exporter costs the agent: parsing its text, mapping it to the built-in
// metrics and turning it into protocol samples (counters into rates), on node_exporter 1.5.0's
// real output (test/fixtures/scrape). CPU time of this process, so a busy machine's waiting
// is not counted.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CounterRates } from '../agent/scrape/counter-rates.js';
import { parseExposition } from '../agent/scrape/exposition.js';
import { forward } from '../agent/scrape/forward.js';
import { NodeExporterMapping } from '../agent/scrape/node-exporter.js';
import { packageRoot } from '../electron/core/version.js';
import { count, type BenchOptions, type Section } from './harness.js';

export async function scrapeParse({ quick }: BenchOptions): Promise<Section> {
  const dir = join(packageRoot(), 'test', 'fixtures', 'scrape');
  const texts = ['a', 'b'].map((x) =>
    readFileSync(join(dir, `node-exporter-1.5.0-${x}.prom`), 'utf8'),
  );
  const rounds = quick ? 50 : 2_000;
  const rates = new CounterRates();
  const node = new NodeExporterMapping();
  let samples = 0;
  let sent = 0;
  // Warm-up: the JIT's first rounds are not what a running agent pays.
  for (let i = 0; i < Math.min(rounds, 100); i++) parseExposition(texts[i % 2]!);
  const cpuBefore = process.cpuUsage();
  for (let i = 0; i < rounds; i++) {
    const ts = 1_700_000_000_000 + i * 1_000;
    const parsed = parseExposition(texts[i % 2]!);
    samples += parsed.length;
    sent += node.map(parsed, ts).length;
    sent += forward(parsed, { instance: '127.0.0.1:9100', ts, rates, maxSeries: 10_000 }).samples
      .length;
    rates.endScrape();
  }
  const cpu = process.cpuUsage(cpuBefore);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const bytes = texts[0]!.length;
  return {
    title: 'Agent scrape: parsing node_exporter',
    command: 'npm run bench -- scrape-parse',
    figures: [
      {
        name: `one node_exporter scrape (${count(samples / rounds)} samples, ${(bytes / 1024).toFixed(0)} KiB): parse, map, rates`,
        value: `${(cpuMs / rounds).toFixed(2)} ms CPU`,
      },
      { name: 'samples parsed per CPU second', value: count((samples / cpuMs) * 1000) },
      {
        name: 'agent CPU at a 1 s scrape interval (this part only)',
        value: `${((cpuMs / rounds / 1000) * 100).toFixed(2)} % of one core`,
      },
    ],
    notes: [
      `${count(rounds)} scrapes of two real node_exporter texts in turn; ${count(sent / rounds)} protocol samples per scrape sent on (built-ins, gauges, counter rates). The HTTP fetch and node_exporter's own work are not included.`,
    ],
  };
}
