// Security (#/security?agent=&region=&user=&sourceIp=&type=&text=): the agents' security
// events with filters, the detections, and the top sources of failed logins, refreshed every
// few seconds. Stale data (the console not answering) and partial answers (a text search that
// stopped at its scan budget, more pages to load) are said on screen.
import { useMemo, useState } from 'react';
import { useFleet } from '../../api/context';
import { StaleMarker } from '../../components/stale';
import { formatTimestamp, plural } from '../../lib/format';
import { hrefFor, navigateTo } from '../../lib/route';
import { DetectionList } from './DetectionList';
import { EventTable } from './EventTable';
import {
  anyFilter,
  EVENT_TYPES,
  filtersQuery,
  parseFilters,
  type SecurityFilters,
} from './security-filters';
import { TopSources } from './TopSources';
import { PAGE, useSecurityData } from './useSecurityData';
import { SecurityNav } from './SecurityNav';

export function SecurityView({ query }: { query: string }) {
  const filters = useMemo(() => parseFilters(query), [query]);
  const key = filtersQuery(filters);
  const agents = useFleet((s) => s.agents);
  const regions = useFleet((s) => s.regions);
  const hosts = useMemo(
    () => [...agents.values()].sort((a, b) => a.hostname.localeCompare(b.hostname)),
    [agents],
  );
  const { data, fetchedAt, error, stale, older, olderCursor, olderScanLimited, loadOlder } =
    useSecurityData(filters, key);
  // Typed fields apply on Enter (or leaving the field), not on every key.
  const [draft, setDraft] = useState<{ key: string; f: SecurityFilters }>({ key, f: filters });
  const typed = draft.key === key ? draft.f : filters;
  const setTyped = (patch: Partial<SecurityFilters>) =>
    setDraft({ key, f: { ...typed, ...patch } });

  const apply = (next: SecurityFilters) =>
    navigateTo(hrefFor('security', null, filtersQuery(next)), { replace: true });
  const narrow = (patch: Partial<SecurityFilters>) => apply({ ...filters, ...patch });

  const events = data ? [...data.events.events, ...older] : [];
  const hasOlder = olderCursor === null ? Boolean(data?.events.nextCursor) : olderCursor !== '';
  const scanLimited = olderCursor === null ? Boolean(data?.events.scanLimited) : olderScanLimited;

  return (
    <div className="view security" data-testid="view-security">
      <SecurityNav current="security" />
      <form
        className="toolbar"
        onSubmit={(e) => {
          e.preventDefault();
          apply(typed);
        }}
      >
        <select
          className="input select"
          aria-label="Host"
          data-testid="security-filter-agent"
          value={filters.agent}
          onChange={(e) => narrow({ agent: e.target.value })}
        >
          <option value="">All hosts</option>
          {hosts.map((a) => (
            <option key={a.id} value={a.id}>
              {a.hostname}
            </option>
          ))}
        </select>
        <select
          className="input select"
          aria-label="Region"
          data-testid="security-filter-region"
          value={filters.region}
          onChange={(e) => narrow({ region: e.target.value })}
        >
          <option value="">All regions</option>
          {[...regions.values()].map((r) => (
            <option key={r.id} value={r.id}>
              {r.id}
            </option>
          ))}
        </select>
        <select
          className="input select"
          aria-label="Event type"
          data-testid="security-filter-type"
          value={filters.type}
          onChange={(e) => narrow({ type: e.target.value })}
        >
          <option value="">All types</option>
          {[...new Set([...EVENT_TYPES, ...(filters.type ? [filters.type] : [])])].map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
        {(
          [
            ['user', 'User', 'security-filter-user'],
            ['sourceIp', 'Source IP', 'security-filter-source-ip'],
            ['text', 'Text', 'security-filter-text'],
          ] as const
        ).map(([k, label, testId]) => (
          <input
            key={k}
            className="input security__field"
            placeholder={label}
            aria-label={label}
            data-testid={testId}
            value={typed[k]}
            onChange={(e) => setTyped({ [k]: e.target.value })}
            onBlur={() => typed[k] !== filters[k] && apply(typed)}
          />
        ))}
        <button type="submit" className="btn btn--small">
          Apply
        </button>
        {anyFilter(filters) && (
          <button
            type="button"
            className="btn btn--small"
            data-testid="security-filter-clear"
            onClick={() => apply(parseFilters(''))}
          >
            Clear
          </button>
        )}
        <span className="toolbar__spacer" />
        {stale ? (
          <StaleMarker since={fetchedAt} what="security data" testId="security-stale" />
        ) : (
          error && (
            <span className="toolbar__error" role="alert" data-testid="security-error">
              {error}
            </span>
          )
        )}
        {fetchedAt !== null && !stale && (
          <span className="muted" data-testid="security-updated">
            live · updated {formatTimestamp(fetchedAt)}
          </span>
        )}
      </form>
      {!data ? (
        <p className="muted" data-testid="security-loading">
          {error ? 'Security data not loaded.' : 'Loading security data…'}
        </p>
      ) : (
        <div className="security__grid">
          <section className="panel security__detections" aria-label="Detections">
            <div className="panel__head">
              <h2>Detections</h2>
              <span className="muted">{plural(data.detections.length, 'recent detection')}</span>
            </div>
            <DetectionList detections={data.detections} narrow={narrow} />
          </section>
          <section className="panel security__sources" aria-label="Top sources">
            <div className="panel__head">
              <h2>Top sources</h2>
              <span className="muted">failed logins, last 24 h</span>
            </div>
            <TopSources sources={data.sources} narrow={narrow} />
          </section>
          <section className="panel security__events" aria-label="Events">
            <div className="panel__head">
              <h2>Events</h2>
              <span className="muted" data-testid="security-events-count">
                {events.length === 0
                  ? 'none'
                  : `newest ${events.length.toLocaleString('en')}${hasOlder ? ' (more older)' : ''}`}
              </span>
            </div>
            <EventTable events={events} narrow={narrow} />
            {(hasOlder || scanLimited) && (
              <div className="security__more">
                {scanLimited && (
                  <span className="muted" data-testid="security-partial">
                    Partial: the text search stopped after looking at its share of the log; older
                    events may still match.
                  </span>
                )}
                <button
                  type="button"
                  className="btn btn--small"
                  data-testid="security-load-older"
                  onClick={() => void loadOlder()}
                >
                  {scanLimited ? 'Search older' : `Load ${PAGE} older`}
                </button>
              </div>
            )}
          </section>
        </div>
      )}
    </div>
  );
}
