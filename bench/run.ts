// `npm run bench`: measures the targets in the issues and writes docs/BENCHMARKS.md.
// Figures, not pass/fail: a missed target is reported, never an exit code.
// `npm run bench -- <section> …` runs those sections and writes nothing; `--quick` runs every
// section at a small size and writes test-results/bench/BENCHMARKS.md (ignored), not docs/.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { agentCost } from './agent-cost.js';
import { alertStream } from './alert-stream.js';
import { crossingToScreen } from './crossing-to-screen.js';
import { fleetLoad } from './fleet-load.js';
import { floodResistance } from './flood.js';
import { machine, type BenchOptions, type Section } from './harness.js';
import { ingestThroughput, ingestWithAnomalyScoring } from './ingest.js';
import { alertLatency, alertLatencyWhileForecasting } from './latency.js';
import { liveness } from './liveness.js';
import { registryFlood } from './registry.js';
import { remoteWriteReceive } from './remote-write.js';
import { scrapeParse } from './scrape-parse.js';
import { prometheusAgentPath } from './prometheus-agent.js';
import { relayFleet } from './relay.js';
import { remoteWriteSend } from './remote-write-send.js';
import { report, updateReport } from './report.js';
import { isolated } from './isolated.js';
import { maxWalSeconds, walReplay } from './tsdb.js';
import { alertToScreen, firstPaint, frameTime } from './ui.js';
import { crossingToEmail, crossingToWebhook } from './notify.js';
import { outageNotifications } from './outage-notifications.js';
import { recoveryLatency, recoveryMttr } from './recovery.js';
import { eventsIngest } from './events.js';
import { auditVerify } from './audit.js';

/** WAL seconds for the replay sections: an hour, and the most WAL a console keeps (its byte limit). */
const replaySeconds = (quick: boolean) => ({
  replay: quick ? 36 : 3_600,
  replayMax: Math.ceil(maxWalSeconds() * (quick ? 0.01 : 1)),
});

const SECTIONS: Record<string, (o: BenchOptions) => Promise<Section>> = {
  ingest: ingestThroughput,
  'ingest-anomaly': ingestWithAnomalyScoring,
  latency: alertLatency,
  'latency-forecasting': alertLatencyWhileForecasting,
  'alert-stream': alertStream,
  'agent-cost': agentCost,
  liveness,
  flood: floodResistance,
  fleet: fleetLoad,
  registry: registryFlood,
  'scrape-parse': scrapeParse,
  'remote-write-receive': remoteWriteReceive,
  'remote-write-send': remoteWriteSend,
  relay: relayFleet,
  'prometheus-agent': prometheusAgentPath,
  // In processes of their own: their RSS figures must not carry what other sections left.
  storage: isolated('storage'),
  series: isolated('series'),
  'forecast-input': isolated('forecast-input'),
  sketches: isolated('sketches'),
  forecast: isolated('forecast'),
  anomaly: isolated('anomaly'),
  replay: (o) => walReplay('replay', replaySeconds(o.quick).replay, false),
  'replay-max': (o) => walReplay('replay-max', replaySeconds(o.quick).replayMax, true),
  paint: firstPaint,
  screen: alertToScreen,
  'crossing-to-screen': crossingToScreen,
  frames: frameTime,
  'notify-webhook': crossingToWebhook,
  'notify-email': crossingToEmail,
  'outage-notifications': outageNotifications,
  recovery: recoveryLatency,
  'recovery-mttr': recoveryMttr,
  'events-query': isolated('events-query'),
  'events-ingest': eventsIngest,
  'audit-verify': auditVerify,
};

const args = process.argv.slice(2);
const quick = args.includes('--quick');
// --update: write the sections run into docs/BENCHMARKS.md, keeping the others as they were.
const update = args.includes('--update');
const only = args.filter((a) => a !== '--quick' && a !== '--update');
const chosen = only.length ? only : Object.keys(SECTIONS);
const results: Section[] = [];
for (const name of chosen) {
  const run = SECTIONS[name];
  if (!run) {
    process.stderr.write(
      `bench: unknown section '${name}' (known: ${Object.keys(SECTIONS).join(', ')}; flag: --quick)\n`,
    );
    process.exit(2);
  }
  process.stdout.write(`bench: ${name}${quick ? ' (quick)' : ''} …\n`);
  const section = await run({ quick });
  results.push(section);
  for (const f of section.figures) {
    process.stdout.write(
      `  ${f.name}: ${f.value}${f.target ? `  (target ${f.target}: ${f.met ? 'met' : 'MISSED'})` : ''}${f.note ? ` — ${f.note}` : ''}\n`,
    );
  }
}
if (update && !quick && only.length > 0) {
  const out = fileURLToPath(new URL('../../docs/BENCHMARKS.md', import.meta.url));
  const meta = { machine: machine(), date: new Date().toISOString().slice(0, 10), quick };
  await writeFile(out, await updateReport(await readFile(out, 'utf8'), results, meta, out));
  process.stdout.write(`bench: updated ${only.join(', ')} in ${out}\n`);
} else if (only.length === 0) {
  const target = quick ? '../../test-results/bench/BENCHMARKS.md' : '../../docs/BENCHMARKS.md';
  const out = fileURLToPath(new URL(target, import.meta.url));
  const meta = { machine: machine(), date: new Date().toISOString().slice(0, 10), quick };
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, await report(results, meta, out));
  process.stdout.write(`bench: wrote ${out}\n`);
}
process.exit(0);
