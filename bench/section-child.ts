// Runs one bench section in a process of its own and prints its Section as JSON on the last
// line: figures about this process's memory must not include what earlier sections left.
import { forecastBench } from './forecast.js';
import { anomalyCost } from './anomaly.js';
import { sketchCost } from './sketches.js';
import { forecastInput, memoryPerSeries, storageSoak } from './storage.js';
import type { BenchOptions, Section } from './harness.js';
import { eventsQuery } from './events.js';

const SECTIONS: Record<string, (o: BenchOptions) => Promise<Section>> = {
  storage: storageSoak,
  series: memoryPerSeries,
  'forecast-input': forecastInput,
  sketches: sketchCost,
  forecast: forecastBench,
  anomaly: anomalyCost,
  'events-query': eventsQuery,
};

const [name, flag] = process.argv.slice(2);
const run = SECTIONS[name ?? ''];
if (!run) {
  process.stderr.write(`section-child: unknown section '${name}'\n`);
  process.exit(2);
}
const section = await run({ quick: flag === '--quick' });
process.stdout.write(`${JSON.stringify(section)}\n`);
process.exit(0);
