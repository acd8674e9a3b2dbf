// The chain head (seq + hash, and the audit.head checkpoint) and the last verification: what
// an auditor copies to anchor the trail elsewhere, and whether it holds.
import type { AuditHead, AuditVerifyResult } from '../../../../shared/audit';
import { formatTimestamp } from '../../lib/format';

function Verification({ r }: { r: AuditVerifyResult }) {
  const when = formatTimestamp(r.checkedAt);
  if (r.ok)
    return (
      <p
        className="audit-verdict audit-verdict--ok"
        data-testid="audit-verification"
        data-ok="true"
      >
        Chain verified: {r.records.toLocaleString('en-US')} records intact ({when}, {r.durationMs}{' '}
        ms).
      </p>
    );
  const b = r.firstBreak;
  return (
    <p
      className="audit-verdict audit-verdict--broken"
      data-testid="audit-verification"
      data-ok="false"
    >
      Chain broken
      {b ? ` at line ${b.line} (${b.kind}): expected ${b.expected}; found ${b.found}` : ''}
      {r.recordedBreaks > 0 ? ` · ${r.recordedBreaks} break(s) recorded, new segment since` : ''} (
      {when}).
    </p>
  );
}

export function AuditHeadPanel(p: {
  head: AuditHead | null;
  verification: AuditVerifyResult | null;
  error: string | null;
}) {
  const { head } = p;
  return (
    <section className="panel audit-head" data-testid="audit-head">
      <header className="panel__head">
        <h2>Chain head</h2>
        <span className="panel__sub">copy the hash to anchor the trail outside this machine</span>
      </header>
      {head ? (
        <dl className="audit-head__facts">
          <dt>Records</dt>
          <dd className="num" data-testid="audit-head-seq">
            {head.seq}
          </dd>
          <dt>Head hash</dt>
          <dd>
            <code data-testid="audit-head-hash">{head.hash}</code>
          </dd>
          <dt>Checkpoint</dt>
          <dd className="muted">
            {head.checkpoint
              ? `seq ${head.checkpoint.seq} at ${formatTimestamp(head.checkpoint.at)}`
              : 'none yet'}
          </dd>
        </dl>
      ) : (
        <p className="muted">Loading…</p>
      )}
      {p.verification ? (
        <Verification r={p.verification} />
      ) : (
        <p className="muted">Not verified since the console started.</p>
      )}
      {p.error && <p className="toolbar__error">Verify failed: {p.error}</p>}
    </section>
  );
}
