// Compliance (#/compliance): scorecards per framework and per region, the daily trend, and
// every control of the catalogue, failing first, each opening to its per-agent evidence; the
// export buttons hand an auditor the same as HTML, JSON or CSV. The catalogue and the rules
// are the console's (electron/core/compliance/controls.yml; docs/security.md).
import { useMemo, useState } from 'react';
import {
  FRAMEWORK_NAMES,
  FRAMEWORKS,
  type ComplianceQuery,
  type Framework,
} from '../../../../shared/compliance';
import { useFleet } from '../../api/context';
import { StaleMarker } from '../../components/stale';
import { ratioText } from './compliance-text';
import { ControlRow } from './ControlRow';
import { ExportButtons } from './ExportButtons';
import { useCompliance } from './useCompliance';
import '../../styles/compliance.css';
import { SecurityNav } from '../security/SecurityNav';

/** Days of trend shown. */
const TREND_DAYS = 14;

export function ComplianceView() {
  const [framework, setFramework] = useState<Framework | ''>('');
  const [region, setRegion] = useState('');
  const regions = useFleet((s) => s.regions);
  const query = useMemo<ComplianceQuery>(
    () => ({ ...(framework ? { framework } : {}), ...(region ? { region } : {}) }),
    [framework, region],
  );
  const { report, error, stale, fetchedAt } = useCompliance(query);
  const trend = report?.trend.slice(-TREND_DAYS) ?? [];

  return (
    <div className="view compliance" data-testid="view-compliance">
      <div className="toolbar">
        <SecurityNav current="compliance" />
        <label className="muted" htmlFor="compliance-framework">
          Framework
        </label>
        <select
          id="compliance-framework"
          className="select"
          data-testid="compliance-framework"
          value={framework}
          onChange={(e) => setFramework(e.target.value as Framework | '')}
        >
          <option value="">All</option>
          {FRAMEWORKS.map((f) => (
            <option key={f} value={f}>
              {FRAMEWORK_NAMES[f]}
            </option>
          ))}
        </select>
        <label className="muted" htmlFor="compliance-region">
          Region
        </label>
        <select
          id="compliance-region"
          className="select"
          data-testid="compliance-region"
          value={region}
          onChange={(e) => setRegion(e.target.value)}
        >
          <option value="">All</option>
          {[...regions.values()].map((r) => (
            <option key={r.id} value={r.id}>
              {r.name}
            </option>
          ))}
        </select>
        <span className="toolbar__spacer" />
        {stale && <StaleMarker since={fetchedAt} what="compliance report" />}
        {!report && error && <span className="toolbar__error">{error}</span>}
        <ExportButtons query={query} />
      </div>
      {!report ? (
        <p className="muted">{error ? 'No compliance report.' : 'Loading compliance…'}</p>
      ) : (
        <>
          <section className="compliance__cards" aria-label="Scorecards by framework">
            {report.frameworks.map((f) => (
              <div
                key={f.framework}
                className={`panel scorecard${f.fail > 0 ? ' scorecard--failing' : ''}`}
                data-testid="compliance-scorecard"
                data-framework={f.framework}
                data-fail={f.fail}
              >
                <h2>{f.name}</h2>
                <div className="scorecard__ratio num">{ratioText(f.ratio)}</div>
                <div className="muted num">
                  {f.pass} pass · {f.fail} fail · {f.unknown} unknown
                </div>
                <div className="muted">
                  {f.failingControls} of {f.controls} controls failing
                </div>
              </div>
            ))}
          </section>
          <div className="compliance__split">
            <section className="panel compliance__regions">
              <h2>By region (host controls)</h2>
              <table className="data-table">
                <thead>
                  <tr>
                    <th>Region</th>
                    <th>Pass ratio</th>
                    <th>Fail</th>
                    <th>Unknown</th>
                    <th>Failing agents</th>
                  </tr>
                </thead>
                <tbody>
                  {report.regions.map((r) => (
                    <tr
                      key={r.regionId}
                      data-testid="compliance-region-row"
                      data-region={r.regionId}
                      data-failing-agents={r.failingAgents}
                    >
                      <td>{regions.get(r.regionId)?.name ?? r.regionId}</td>
                      <td className="num">{ratioText(r.ratio)}</td>
                      <td className="num">{r.fail}</td>
                      <td className="num">{r.unknown}</td>
                      <td className="num">
                        {r.failingAgents} of {r.agents}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
            <section className="panel compliance__trend" data-testid="compliance-trend">
              <h2>Trend (pass ratio per day)</h2>
              {trend.length === 0 ? (
                <p className="muted">The first point is recorded within the hour.</p>
              ) : (
                <table className="data-table">
                  <thead>
                    <tr>
                      <th>Day</th>
                      {FRAMEWORKS.map((f) => (
                        <th key={f}>{FRAMEWORK_NAMES[f]}</th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {trend.map((p) => (
                      <tr key={p.day}>
                        <td className="num">{p.day}</td>
                        {FRAMEWORKS.map((f) => (
                          <td key={f} className="num">
                            {ratioText(p.ratios[f] ?? null)}
                          </td>
                        ))}
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </section>
          </div>
          <section className="panel">
            <h2>Controls, failing first</h2>
            <p className="muted">
              Audit chain head{' '}
              <code data-testid="compliance-audit-head">
                {report.audit.headHash ?? '(no hash chain yet)'}
              </code>{' '}
              · seq {report.audit.headSeq}
            </p>
            <ul className="controls" data-testid="compliance-controls">
              {report.controls.map((c) => (
                <ControlRow key={c.id} control={c} />
              ))}
            </ul>
          </section>
        </>
      )}
    </div>
  );
}
