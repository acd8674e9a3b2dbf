// The evidence export: HTML (printable, self-contained), JSON or CSV of what the page shows,
// fetched with the session's credentials and handed to the browser as a download. Each export
// is recorded in the console's audit log under the operator's name.
import { useState } from 'react';
import {
  EXPORT_FORMATS,
  type ComplianceQuery,
  type ExportFormat,
} from '../../../../shared/compliance';
import { useServices } from '../../api/context';
import { byField } from '../../lib/operator';

export function ExportButtons({ query }: { query: ComplianceQuery }) {
  const { api } = useServices();
  const [busy, setBusy] = useState<ExportFormat | null>(null);
  const [error, setError] = useState<string | null>(null);

  const download = async (format: ExportFormat) => {
    setBusy(format);
    setError(null);
    try {
      const file = await api.file('GET /api/v1/compliance/export', {
        ...query,
        format,
        ...byField(),
      });
      const url = URL.createObjectURL(new Blob([file.text], { type: file.type }));
      const a = document.createElement('a');
      a.href = url;
      a.download = file.filename;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    } catch (err) {
      setError(`Export failed: ${(err as Error).message}`);
    } finally {
      setBusy(null);
    }
  };

  return (
    <span className="compliance__export" data-testid="compliance-export">
      <span className="muted">Export evidence</span>
      {EXPORT_FORMATS.map((f) => (
        <button
          key={f}
          type="button"
          className="btn btn--small"
          data-testid={`compliance-export-${f}`}
          disabled={busy !== null}
          onClick={() => void download(f)}
        >
          {f.toUpperCase()}
        </button>
      ))}
      {error && (
        <span className="toolbar__error" role="alert">
          {error}
        </span>
      )}
    </span>
  );
}
