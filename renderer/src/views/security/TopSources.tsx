// Source addresses by failed logins (each attempt once) over the last 24 h.
import type { TopSource } from '../../../../shared/api';
import { ageSince } from '../../lib/format';
import { useServerNow } from '../../lib/now';
import type { SecurityFilters } from './security-filters';

export function TopSources({
  sources,
  narrow,
}: {
  sources: readonly TopSource[];
  narrow(patch: Partial<SecurityFilters>): void;
}) {
  const now = useServerNow();
  if (sources.length === 0)
    return (
      <p className="muted security__empty" data-testid="security-sources-empty">
        No failed logins in the last 24 h.
      </p>
    );
  return (
    <table className="data-table" data-testid="security-sources">
      <thead>
        <tr>
          <th>Source IP</th>
          <th className="is-right">Failures</th>
          <th className="is-right">Hosts</th>
          <th className="is-right">Users</th>
          <th>Last</th>
        </tr>
      </thead>
      <tbody>
        {sources.map((s) => (
          <tr key={s.sourceIp} data-testid="security-source" data-source-ip={s.sourceIp}>
            <td className="num">
              <button
                type="button"
                className="link-button"
                onClick={() => narrow({ sourceIp: s.sourceIp })}
              >
                {s.sourceIp}
              </button>
            </td>
            <td className="num is-right">{s.failures.toLocaleString('en')}</td>
            <td className="num is-right">{s.hosts}</td>
            <td className="num is-right">{s.users}</td>
            <td className="muted num">{ageSince(s.lastTs, now)} ago</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
