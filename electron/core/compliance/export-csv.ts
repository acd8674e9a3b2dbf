// The evidence export as CSV (RFC 4180): one row per control and subject (agent, or the
// console), with the evidence each result was decided from.
import type { ComplianceReport } from '../../../shared/compliance.js';

const HEADER = [
  'control_id',
  'control_title',
  'scope',
  'pci_dss',
  'gdpr',
  'sox',
  'cis',
  'subject',
  'hostname',
  'region',
  'result',
  'fact',
  'value',
  'source',
  'raw',
  'collected_at',
  'reason',
];

/** Quote a field when it holds a comma, quote, CR or LF; a leading =+-@ is neutralised (CSV injection). */
export function csvField(v: unknown): string {
  let s = v === null || v === undefined ? '' : String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function complianceCsv(report: ComplianceReport): string {
  const rows = [HEADER];
  for (const c of report.controls) {
    for (const r of c.results) {
      rows.push([
        c.id,
        c.title,
        c.scope,
        (c.refs['pci-dss'] ?? []).join(' '),
        (c.refs.gdpr ?? []).join(' '),
        (c.refs.sox ?? []).join(' '),
        (c.refs.cis ?? []).join('; '),
        r.agentId,
        r.hostname,
        r.regionId,
        r.result,
        r.evidence.fact,
        r.evidence.value === null ? '' : JSON.stringify(r.evidence.value),
        r.evidence.source,
        r.evidence.raw,
        r.evidence.collectedAt === null ? '' : new Date(r.evidence.collectedAt).toISOString(),
        r.evidence.reason ?? '',
      ]);
    }
  }
  return `${rows.map((row) => row.map(csvField).join(',')).join('\r\n')}\r\n`;
}
