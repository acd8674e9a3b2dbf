// docs/BENCHMARKS.md as `npm run bench` writes it: a header, a table per section, then the
// sections' notes, every number in them from the run that writes the file (targets are marked as
// such). Formatted with the repository's Prettier config before it is written, so the next
// `npm run format:check` passes on it.
import * as prettier from 'prettier';
import type { Section } from './harness.js';

export interface ReportMeta {
  machine: string;
  /** YYYY-MM-DD of the run. */
  date: string;
  /** A `--quick` run: small sizes, a check of the bench rather than a measurement. */
  quick: boolean;
}

/** A table cell: pipes would end the cell, newlines the row. */
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The report as markdown, not yet formatted. */
export function renderReport(sections: Section[], meta: ReportMeta): string {
  const lines = [
    '# Benchmarks',
    '',
    ...(meta.quick
      ? [
          'Written by `npm run bench -- --quick`: every section at a small size, to check the ' +
            'bench and this report. The figures do not measure the targets (`npm run bench` ' +
            'does); targets that hold only at full size are left out.',
        ]
      : [
          'Written by `npm run bench` (`npm run bench -- <section>` runs one section and does ' +
            'not write this file; `npm run bench -- --update <section>…` rewrites those ' +
            'sections here, each stamped with its own date).',
          'Targets come from the issues; they are measured here, never asserted in tests.',
        ]),
    '',
    `- Machine: ${meta.machine}`,
    `- Date: ${meta.date}`,
    '',
  ];
  for (const s of sections) {
    lines.push(`## ${s.title}`, '', '| figure | value | target |', '| --- | --- | --- |');
    for (const f of s.figures) {
      const target = f.target ? `${f.target} ${f.met ? '✅ met' : '❌ missed'}` : '';
      lines.push(`| ${cell(f.name)} | ${cell(f.value)} | ${cell(target)} |`);
    }
    lines.push('');
  }
  const notes = sections.flatMap((s) => s.notes ?? []);
  if (notes.length) lines.push('## Notes', '', ...notes.map((n) => `- ${n}`), '');
  return lines.join('\n');
}

/** Format markdown as Prettier would format the file at `filePath` (its config applies). */
export async function formatMarkdown(markdown: string, filePath: string): Promise<string> {
  const config = (await prettier.resolveConfig(filePath)) ?? {};
  return prettier.format(markdown, { ...config, filepath: filePath });
}

/** The report, rendered and formatted for `filePath`. */
export async function report(
  sections: Section[],
  meta: ReportMeta,
  filePath: string,
): Promise<string> {
  return formatMarkdown(renderReport(sections, meta), filePath);
}

/**
 * `npm run bench -- --update <sections>`: the file as it is, with each section run now put in
 * place of the one of the same title (or added before the notes), stamped with its own date
 * and machine and followed by its own notes; the rest keeps the date of the run that wrote it.
 */
export async function updateReport(
  existing: string,
  sections: Section[],
  meta: ReportMeta,
  filePath: string,
): Promise<string> {
  let text = existing;
  for (const s of sections) {
    const rendered = renderReport([s], meta).split('\n');
    const start = rendered.findIndex((l) => l.startsWith('## '));
    const block = rendered.slice(start).filter((l) => l !== '## Notes');
    const body = block.filter((l) => !l.startsWith('- ') || !(s.notes ?? []).includes(l.slice(2)));
    const stamp = `_Re-measured ${meta.date} (\`npm run bench -- --update\`), ${meta.machine}._`;
    const section = [
      ...body.slice(0, 2),
      stamp,
      '',
      ...body.slice(2).filter((l, i, all) => !(l === '' && all[i - 1] === '')),
      ...(s.notes ?? []).map((n) => `Note: ${n}`),
      '',
    ].join('\n');
    const heading = `## ${s.title}\n`;
    const at = text.indexOf(heading);
    if (at >= 0) {
      const next = text.indexOf('\n## ', at + heading.length);
      text = text.slice(0, at) + section + (next >= 0 ? text.slice(next + 1) : '');
    } else {
      const notes = text.indexOf('\n## Notes');
      text =
        notes >= 0
          ? `${text.slice(0, notes + 1)}${section}\n${text.slice(notes + 1)}`
          : `${text}\n${section}`;
    }
  }
  return formatMarkdown(text, filePath);
}
