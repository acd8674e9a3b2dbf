// One control of the catalogue: its overall result, counts and references; opened, each
// subject's result with the evidence it was decided from (value, command or file, raw
// output, when collected, and why a result is unknown). Failing subjects come first.
import { useState } from 'react';
import type { ControlView } from '../../../../shared/compliance';
import { formatTimestamp } from '../../lib/format';
import { hrefFor } from '../../lib/route';
import { overallResult, refsText, RESULT_LABEL, valueText } from './compliance-text';

/** Subjects listed when a control is opened; the export has them all. */
const SHOWN = 200;

export function ResultBadge({ result }: { result: keyof typeof RESULT_LABEL }) {
  return <span className={`result-badge result-badge--${result}`}>{RESULT_LABEL[result]}</span>;
}

export function ControlRow({ control }: { control: ControlView }) {
  const [open, setOpen] = useState(false);
  const result = overallResult(control);
  return (
    <li
      className={`control control--${result}`}
      data-testid="compliance-control"
      data-control={control.id}
      data-result={result}
    >
      <button
        type="button"
        className="control__head"
        aria-expanded={open}
        onClick={() => setOpen((o) => !o)}
      >
        <ResultBadge result={result} />
        <span className="control__title">{control.title}</span>
        <span className="control__counts num muted">
          {control.fail} fail · {control.unknown} unknown · {control.pass} pass
        </span>
      </button>
      <div className="control__refs muted">
        {refsText(control.refs)} · <code>{control.rule}</code>
      </div>
      {open && (
        <div className="control__detail" data-testid="compliance-evidence">
          <p className="muted">{control.description}</p>
          <table className="data-table">
            <thead>
              <tr>
                <th>Subject</th>
                <th>Region</th>
                <th>Result</th>
                <th>Value</th>
                <th>Evidence</th>
                <th>Collected</th>
              </tr>
            </thead>
            <tbody>
              {control.results.slice(0, SHOWN).map((r) => (
                <tr key={r.agentId} data-testid="compliance-evidence-row" data-agent={r.agentId}>
                  <td>
                    {r.agentId === 'console' ? (
                      'console'
                    ) : (
                      <a href={hrefFor('agents', r.agentId)}>{r.hostname}</a>
                    )}
                  </td>
                  <td>{r.regionId}</td>
                  <td>
                    <ResultBadge result={r.result} />
                  </td>
                  <td className="num">{valueText(r.evidence.value)}</td>
                  <td>
                    {r.evidence.source && <code>{r.evidence.source}</code>}
                    {r.evidence.raw && <pre className="control__raw">{r.evidence.raw}</pre>}
                    {r.evidence.reason && <div className="muted">{r.evidence.reason}</div>}
                  </td>
                  <td className="num">{formatTimestamp(r.evidence.collectedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {control.results.length > SHOWN && (
            <p className="muted">{control.results.length - SHOWN} more in the export.</p>
          )}
        </div>
      )}
    </li>
  );
}
