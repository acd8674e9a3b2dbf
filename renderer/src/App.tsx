import { MIN_CONTENT_WIDTH } from '../../shared/layout';
import { ServicesContext, useFleet, type Services } from './api/context';
import { ConnectionBanner } from './components/ConnectionBanner';
import { Header } from './components/Header';
import { useStreamStale } from './components/stale';
import { TabBadge } from './components/TabBadge';
import { UndoToasts } from './components/UndoToasts';
import { useRoute } from './lib/route';
import { AgentsView } from './views/agents/AgentsView';
import { AlertsView } from './views/alerts/AlertsView';
import { EmptyState } from './views/EmptyState';
import { CapacityView } from './views/capacity/CapacityView';
import { ExploreView } from './views/explore/ExploreView';
import { IncidentsView } from './views/incidents/IncidentsView';
import { MaintenanceView } from './views/maintenance/MaintenanceView';
import { SilencesView } from './views/silences/SilencesView';
import { Overview } from './views/overview/Overview';
import { RegionView } from './views/region/RegionView';
import { RelaysView } from './views/relays/RelaysView';
import { RecoveryView } from './views/recovery/RecoveryView';
import { ComplianceView } from './views/compliance/ComplianceView';
import { RulesView } from './views/rules/RulesView';
import { SecurityView } from './views/security/SecurityView';
import { SettingsView } from './views/settings/SettingsView';
import { TrendsView } from './views/trends/TrendsView';
import { AuditView } from './views/audit/AuditView';

function Content() {
  const route = useRoute();
  const loaded = useFleet((s) => s.loaded);
  const noAgents = useFleet((s) => s.agents.size === 0);
  if (!loaded) {
    return (
      <div className="loading" data-testid="loading">
        <div className="spinner" aria-hidden="true" />
        Connecting to the console…
      </div>
    );
  }
  // Silences, maintenance windows, rules and runbooks can be set up before any agent reports;
  // a relay can connect before any agent behind it.
  const withoutAgents = [
    'alerts',
    'settings',
    'silences',
    'maintenance',
    'rules',
    'recovery',
    'audit',
    'relays',
  ];
  if (noAgents && !withoutAgents.includes(route.view)) return <EmptyState />;
  switch (route.view) {
    case 'incidents':
      return <IncidentsView incidentId={route.id} />;
    case 'silences':
      return <SilencesView />;
    case 'maintenance':
      return <MaintenanceView />;
    case 'regions':
      return route.id ? <RegionView regionId={route.id} query={route.query} /> : <Overview />;
    case 'agents':
      return <AgentsView agentId={route.id} />;
    case 'relays':
      return <RelaysView />;
    case 'alerts':
      return <AlertsView alertId={route.id} />;
    case 'explore':
      return <ExploreView query={route.query} />;
    case 'trends':
      return <TrendsView query={route.query} />;
    case 'capacity':
      return <CapacityView selected={route.id} />;
    case 'rules':
      return <RulesView />;
    case 'recovery':
      return <RecoveryView selected={route.id} />;
    case 'compliance':
      return <ComplianceView />;
    case 'security':
      return <SecurityView query={route.query} />;
    case 'audit':
      return <AuditView />;
    case 'settings':
      return <SettingsView />;
    default:
      return <Overview />;
  }
}

/** The main area: the banner in its own row, then the view, dimmed while its data is stale. */
function Main() {
  const { stale } = useStreamStale();
  return (
    <main className={`main${stale ? ' is-stale' : ''}`} data-stale={stale}>
      <ConnectionBanner />
      <div className="main__content">
        <Content />
      </div>
    </main>
  );
}

export function App({ services }: { services: Services }) {
  return (
    <ServicesContext.Provider value={services}>
      <div className="app" style={{ minWidth: MIN_CONTENT_WIDTH }}>
        <Header />
        <Main />
        <TabBadge />
        <UndoToasts />
      </div>
    </ServicesContext.Provider>
  );
}
