import { useMemo } from 'react';
import { useFleet } from '../api/context';
import { isDesktop } from '../desktop-bridge';
import { alertBadge, selectAlertCounts } from '../lib/alerts';
import { openIncidentBadge } from '../lib/incidents';
import { requestNotifyPermission, useNotifyPermission } from '../lib/notifications';
import { hrefFor, useRoute, type View } from '../lib/route';
import { useTheme } from '../lib/theme';

const TABS: { view: View; label: string }[] = [
  { view: 'incidents', label: 'Incidents' },
  { view: 'overview', label: 'Overview' },
  { view: 'agents', label: 'Agents' },
  { view: 'alerts', label: 'Alerts' },
  { view: 'explore', label: 'Explore' },
  { view: 'trends', label: 'Trends' },
  { view: 'capacity', label: 'Capacity' },
  { view: 'rules', label: 'Rules' },
  { view: 'recovery', label: 'Recovery' },
  { view: 'security', label: 'Security' },
  { view: 'settings', label: 'Settings' },
];

function NotifyButton() {
  const permission = useNotifyPermission();
  if (isDesktop() || permission === 'unsupported') return null;
  if (permission === 'granted') {
    return (
      <span className="header__chip" data-testid="notifications-on" title="Critical alerts notify">
        <BellIcon /> <span className="header__label">Notifications on</span>
      </span>
    );
  }
  if (permission === 'denied') {
    return (
      <span
        className="header__chip header__chip--muted"
        title="Allow them in the browser's site settings"
      >
        <BellIcon /> <span className="header__label">Notifications blocked</span>
      </span>
    );
  }
  return (
    <button
      type="button"
      className="btn btn--small"
      data-testid="enable-notifications"
      title="Critical alerts will notify"
      onClick={() => void requestNotifyPermission()}
    >
      <BellIcon /> <span className="header__label">Enable notifications</span>
    </button>
  );
}

function BellIcon() {
  return (
    <svg className="icon" viewBox="0 0 16 16" aria-hidden="true">
      <path d="M8 1.5a4 4 0 0 0-4 4v2.7L2.6 11h10.8L12 8.2V5.5a4 4 0 0 0-4-4ZM6.3 12.5a1.8 1.8 0 0 0 3.4 0" />
    </svg>
  );
}

function LiveIndicator() {
  const connection = useFleet((s) => s.connection);
  const label =
    connection === 'live'
      ? 'Live'
      : connection === 'down'
        ? 'Offline'
        : connection === 'unauthorized'
          ? 'Signed out'
          : 'Connecting';
  return (
    <span className={`live live--${connection}`} data-testid="conn-status" data-state={connection}>
      <span className="live__dot" aria-hidden="true" />
      {label}
    </span>
  );
}

export function Header() {
  const route = useRoute();
  // The same selector as the KPI tiles: the badge is the count at the worst open severity.
  const counts = useFleet(selectAlertCounts);
  const badge = useMemo(() => alertBadge(counts), [counts]);
  const incidents = useFleet((s) => s.incidents);
  const incidentBadge = useMemo(() => openIncidentBadge(incidents), [incidents]);
  const [theme, toggleTheme] = useTheme();
  // Silences and maintenance are the triage view's own pages, compliance and audit the
  // security view's, relays the agents view's: their tab stays lit on them.
  const lit = (v: View) =>
    route.view === v ||
    (v === 'overview' && route.view === 'regions') ||
    (v === 'incidents' && (route.view === 'silences' || route.view === 'maintenance')) ||
    (v === 'security' && (route.view === 'compliance' || route.view === 'audit')) ||
    (v === 'agents' && route.view === 'relays');

  return (
    <header className="header">
      <a className="brand" href={hrefFor('overview')}>
        <svg className="brand__mark" viewBox="0 0 32 32" aria-hidden="true">
          <circle cx="16" cy="16" r="10" />
          <path d="M16 6v20M6 16h20" />
          <circle className="brand__dot" cx="22" cy="11" r="3.2" />
        </svg>
        <span className="brand__name">Meridian</span>
      </a>
      <nav className="tabs" aria-label="Views">
        {TABS.map((t) => (
          <a
            key={t.view}
            href={hrefFor(t.view)}
            // A region page is the overview's drill-down: its tab stays lit.
            className={`tabs__tab${lit(t.view) ? ' is-active' : ''}`}
            aria-current={route.view === t.view ? 'page' : undefined}
            data-testid={`nav-${t.view}`}
          >
            {t.label}
            {t.view === 'incidents' && (
              <span
                className={`count-badge${incidentBadge.count === 0 ? '' : incidentBadge.critical ? ' count-badge--critical' : ' count-badge--warning'}`}
                data-testid="nav-incidents-count"
                title={incidentBadge.label}
              >
                {incidentBadge.count}
              </span>
            )}
            {t.view === 'alerts' && (
              <span
                className={`count-badge${badge.severity === 'critical' ? ' count-badge--critical' : badge.severity === 'warning' ? ' count-badge--warning' : ''}`}
                data-testid="nav-alerts-count"
                data-severity={badge.severity ?? 'none'}
                title={badge.label}
              >
                {badge.count}
              </span>
            )}
          </a>
        ))}
      </nav>
      <div className="header__right">
        <LiveIndicator />
        <NotifyButton />
        <button
          type="button"
          className="btn btn--icon"
          data-testid="theme-toggle"
          onClick={toggleTheme}
          title={theme === 'dark' ? 'Switch to light theme' : 'Switch to dark theme'}
          aria-label={theme === 'dark' ? 'Switch to light theme' : 'Switch to dark theme'}
        >
          {theme === 'dark' ? (
            <svg className="icon" viewBox="0 0 16 16" aria-hidden="true">
              <circle cx="8" cy="8" r="3.2" />
              <path d="M8 1v2M8 13v2M1 8h2M13 8h2M3 3l1.4 1.4M11.6 11.6 13 13M3 13l1.4-1.4M11.6 4.4 13 3" />
            </svg>
          ) : (
            <svg className="icon" viewBox="0 0 16 16" aria-hidden="true">
              <path d="M13.5 9.5A5.5 5.5 0 0 1 6.5 2.5a5.5 5.5 0 1 0 7 7Z" />
            </svg>
          )}
        </button>
      </div>
    </header>
  );
}
