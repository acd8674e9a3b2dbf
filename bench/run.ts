// `npm run bench`: measures the targets in the issues and writes docs/BENCHMARKS.md.
// Figures, not pass/fail: a missed target is reported, never an exit code.
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { fleetLoad } from './fleet-load.js';
import { machine, type Section } from './harness.js';
import { ingestThroughput } from './ingest.js';
import { alertLatency } from './latency.js';
import { liveness } from './liveness.js';
import { headMemory, queryLatency, walReplay } from './tsdb.js';
import { alertToScreen, firstPaint, frameTime } from './ui.js';

const SECTIONS: Record<string, () => Promise<Section>> = {
  ingest: ingestThroughput,
  latency: alertLatency,
  liveness,
  fleet: fleetLoad,
  memory: headMemory,
  query: queryLatency,
  replay: () => walReplay(3_600),
  // The default checkpoint interval is 5 min: the most WAL a console replays in practice.
  replay5m: () => walReplay(300),
  paint: firstPaint,
  screen: alertToScreen,
  frames: frameTime,
};

function render(sections: Section[], when: string): string {
  const lines = [
    '# Benchmarks',
    '',
    'Written by `npm run bench` (`npm run bench -- <section>` runs one section and does not write this file).',
    'Targets come from the issues; they are measured here, never asserted in tests.',
    '',
    `- Machine: ${machine()}`,
    `- Date: ${when}`,
    '',
  ];
  for (const s of sections) {
    lines.push(`## ${s.title}`, '', '| figure | value | target |', '| --- | --- | --- |');
    for (const f of s.figures) {
      const target = f.target ? `${f.target} ${f.met ? '✅ met' : '❌ missed'}` : '';
      lines.push(`| ${f.name} | ${f.value} | ${target} |`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

const only = process.argv.slice(2);
const chosen = only.length ? only : Object.keys(SECTIONS);
const results: Section[] = [];
for (const name of chosen) {
  const run = SECTIONS[name];
  if (!run) {
    process.stderr.write(
      `bench: unknown section '${name}' (known: ${Object.keys(SECTIONS).join(', ')})\n`,
    );
    process.exit(2);
  }
  process.stdout.write(`bench: ${name} …\n`);
  const section = await run();
  results.push(section);
  for (const f of section.figures) {
    process.stdout.write(
      `  ${f.name}: ${f.value}${f.target ? `  (target ${f.target}: ${f.met ? 'met' : 'MISSED'})` : ''}\n`,
    );
  }
}
if (only.length === 0) {
  const out = fileURLToPath(new URL('../../docs/BENCHMARKS.md', import.meta.url));
  await writeFile(out, render(results, new Date().toISOString().slice(0, 10)));
  process.stdout.write(`bench: wrote ${out}\n`);
}
process.exit(0);
