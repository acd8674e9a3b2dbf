// The Audit page: who changed what (the hash-chained audit trail), filterable; the chain head
// and its last checkpoint; the last verification and a "Verify now" button that checks the
// whole chain on the console (POST /api/v1/audit/verify).
import { useCallback, useState } from 'react';
import type { AuditEntry, AuditQuery, AuditVerifyResult } from '../../../../shared/audit';
import { useServices } from '../../api/context';
import { formatTimestamp } from '../../lib/format';
import { usePolled } from '../../lib/use-polled';
import { AuditFilters, type AuditFilterValues } from './AuditFilters';
import { AuditHeadPanel } from './AuditHeadPanel';
import { SecurityNav } from '../security/SecurityNav';

const PAGE = 200;

function queryOf(f: AuditFilterValues): Partial<AuditQuery> {
  const ms = (s: string) => (s ? String(new Date(s).getTime()) : undefined);
  return {
    ...(f.by ? { by: f.by } : {}),
    ...(f.action ? { action: f.action } : {}),
    ...(f.target ? { target: f.target } : {}),
    ...(ms(f.from) ? { from: ms(f.from) } : {}),
    ...(ms(f.to) ? { to: ms(f.to) } : {}),
    limit: String(PAGE),
  };
}

const summary = (v: unknown): string => {
  if (v === null || v === undefined) return '';
  const text = JSON.stringify(v);
  return text.length > 160 ? `${text.slice(0, 157)}…` : text;
};

export function AuditView() {
  const { api } = useServices();
  const [filters, setFilters] = useState<AuditFilterValues>({
    by: '',
    action: '',
    target: '',
    from: '',
    to: '',
  });
  const [older, setOlder] = useState<AuditEntry[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const loadEntries = useCallback(
    () =>
      api.get('GET /api/v1/audit', queryOf(filters)).then((r) => {
        setOlder([]);
        setCursor(r.nextCursor);
        return r.entries;
      }),
    [api, filters],
  );
  const entries = usePolled(loadEntries);
  const loadHead = useCallback(() => api.get('GET /api/v1/audit/head'), [api]);
  const head = usePolled(loadHead, 5_000);
  const [verifying, setVerifying] = useState(false);
  const [verified, setVerified] = useState<AuditVerifyResult | null>(null);
  const [verifyError, setVerifyError] = useState<string | null>(null);

  const verifyNow = async () => {
    setVerifying(true);
    setVerifyError(null);
    try {
      setVerified((await api.post('POST /api/v1/audit/verify', {}, undefined as never)).result);
      await head.reload();
    } catch (err) {
      setVerifyError((err as Error).message);
    } finally {
      setVerifying(false);
    }
  };

  const more = async () => {
    if (!cursor) return;
    const r = await api.get('GET /api/v1/audit', { ...queryOf(filters), cursor });
    setOlder((o) => [...o, ...r.entries]);
    setCursor(r.nextCursor);
  };

  const rows = [...(entries.data ?? []), ...older];
  return (
    <div className="view audit-page" data-testid="view-audit">
      <div className="toolbar">
        <SecurityNav current="audit" />
        <span className="toolbar__spacer" />
        {entries.error && <span className="toolbar__error">{entries.error}</span>}
        <button
          type="button"
          className="btn btn--primary"
          data-testid="audit-verify"
          disabled={verifying}
          onClick={() => void verifyNow()}
        >
          {verifying ? 'Verifying…' : 'Verify now'}
        </button>
      </div>
      <AuditHeadPanel
        head={head.data?.head ?? null}
        verification={verified ?? head.data?.lastVerification ?? null}
        error={verifyError}
      />
      <AuditFilters value={filters} onChange={setFilters} />
      <section className="panel audit-records">
        <table className="data-table audit-table" data-testid="audit-table">
          <thead>
            <tr>
              <th>#</th>
              <th>When</th>
              <th>By</th>
              <th>Action</th>
              <th>Target</th>
              <th>Change</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((e) => (
              <tr key={e.seq} data-testid="audit-row" data-action={e.action} data-by={e.by}>
                <td className="num">{e.seq}</td>
                <td className="num">{formatTimestamp(e.at)}</td>
                <td>{e.by}</td>
                <td>
                  <code>{e.action}</code>
                </td>
                <td>
                  <code>{e.target}</code>
                </td>
                <td className="audit-table__change muted" title={hashTitle(e)}>
                  {summary(e.after ?? e.details ?? e.before)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {rows.length === 0 && <p className="muted">No record matches.</p>}
        {cursor && (
          <button type="button" className="btn btn--ghost" onClick={() => void more()}>
            Older records
          </button>
        )}
      </section>
    </div>
  );
}

const hashTitle = (e: AuditEntry) => `hash ${e.hash}\nprev ${e.prev}`;
