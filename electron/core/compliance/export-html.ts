// The evidence export as one self-contained, printable HTML page for an auditor: inline
// styles only (no script, no external URL, no font or image to fetch), the generation time
// and the audit chain's head hash at the top, scorecards, then every control with each
// subject's result and evidence, failing first.
import {
  FRAMEWORK_NAMES,
  type ComplianceReport,
  type ControlView,
  type Framework,
} from '../../../shared/compliance.js';
import { controlResult } from './scorecards.js';

const esc = (v: unknown) =>
  String(v ?? '').replace(
    /[&<>"']/g,
    (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!,
  );
const iso = (ms: number | null) => (ms === null ? '—' : new Date(ms).toISOString());
const pct = (r: number | null) => (r === null ? '—' : `${(r * 100).toFixed(1)} %`);

const STYLE = `
body{font:13px/1.45 system-ui,sans-serif;color:#111;margin:24px;max-width:1100px}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 8px;border-bottom:1px solid #999}
h3{font-size:14px;margin:16px 0 4px}table{border-collapse:collapse;width:100%;margin:4px 0 12px}
th,td{border:1px solid #bbb;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#eee}.pass{color:#05610f}.fail{color:#a10000;font-weight:600}.unknown{color:#6b4e00}
code,pre{font:12px ui-monospace,monospace;white-space:pre-wrap;word-break:break-all;margin:0}
.meta td:first-child{width:14em;font-weight:600}section{break-inside:avoid-page}
@media print{body{margin:0}h2{break-after:avoid}}`;

function refsText(refs: ControlView['refs']): string {
  return (Object.entries(refs) as [Framework, string[]][])
    .map(([fw, list]) => `${FRAMEWORK_NAMES[fw]}: ${list.join(', ')}`)
    .join(' · ');
}

function controlSection(c: ControlView): string {
  const overall = controlResult(c);
  const rows = c.results
    .map(
      (r) => `<tr><td>${esc(r.hostname)}</td><td>${esc(r.regionId)}</td>
<td class="${r.result}">${r.result}</td><td><code>${esc(r.evidence.value === null ? '' : JSON.stringify(r.evidence.value))}</code></td>
<td><code>${esc(r.evidence.source)}</code><pre>${esc(r.evidence.raw)}</pre></td>
<td>${esc(iso(r.evidence.collectedAt))}</td><td>${esc(r.evidence.reason ?? '')}</td></tr>`,
    )
    .join('\n');
  return `<section><h3 class="${overall}">${esc(c.title)} — ${overall}</h3>
<p><code>${esc(c.id)}</code> · ${esc(c.scope)} · pass rule: <code>${esc(c.rule)}</code><br>${esc(refsText(c.refs))}</p>
<p>${esc(c.description)}</p>
<table><thead><tr><th>Subject</th><th>Region</th><th>Result</th><th>Value</th><th>Evidence</th><th>Collected</th><th>Note</th></tr></thead>
<tbody>${rows}</tbody></table></section>`;
}

export function complianceHtml(report: ComplianceReport): string {
  const fw = report.frameworks
    .map(
      (f) =>
        `<tr><td>${esc(f.name)}</td><td>${pct(f.ratio)}</td><td>${f.pass}</td><td>${f.fail}</td><td>${f.unknown}</td><td>${f.failingControls} of ${f.controls}</td></tr>`,
    )
    .join('\n');
  const regions = report.regions
    .map(
      (r) =>
        `<tr><td>${esc(r.regionId)}</td><td>${pct(r.ratio)}</td><td>${r.pass}</td><td>${r.fail}</td><td>${r.unknown}</td><td>${r.failingAgents} of ${r.agents}</td></tr>`,
    )
    .join('\n');
  const filter = [
    report.filter.framework ? `framework ${FRAMEWORK_NAMES[report.filter.framework]}` : null,
    report.filter.region ? `region ${report.filter.region}` : null,
  ]
    .filter(Boolean)
    .join(', ');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Meridian compliance evidence ${esc(iso(report.generatedAt))}</title>
<style>${STYLE}</style></head><body>
<h1>Meridian compliance evidence</h1>
<table class="meta"><tbody>
<tr><td>Generated</td><td>${esc(iso(report.generatedAt))}</td></tr>
<tr><td>Scope</td><td>${esc(filter || 'all frameworks, all regions')}</td></tr>
<tr><td>Audit chain head hash</td><td><code>${esc(report.audit.headHash ?? '(no hash chain)')}</code></td></tr>
<tr><td>Audit chain head seq</td><td>${report.audit.headSeq}</td></tr>
<tr><td>Audit chain verified</td><td>${report.audit.verified === null ? 'not verified' : report.audit.verified ? 'yes' : 'NO — broken'}</td></tr>
</tbody></table>
<h2>Scorecards by framework</h2>
<table><thead><tr><th>Framework</th><th>Pass ratio</th><th>Pass</th><th>Fail</th><th>Unknown</th><th>Failing controls</th></tr></thead><tbody>${fw}</tbody></table>
<h2>Scorecards by region (host controls)</h2>
<table><thead><tr><th>Region</th><th>Pass ratio</th><th>Pass</th><th>Fail</th><th>Unknown</th><th>Failing agents</th></tr></thead><tbody>${regions}</tbody></table>
<h2>Controls, failing first</h2>
${report.controls.map(controlSection).join('\n')}
<p>Pass ratio = pass ÷ (pass + fail); unknown results are listed, never counted as passing.</p>
</body></html>
`;
}
