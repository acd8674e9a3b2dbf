import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { resolveEndpoint } from './api/endpoint';
import { ApiClient, ApiRequestError } from './api/http';
import { runAlertAction } from './api/actions';
import { ResolveHold } from './api/resolve-hold';
import { FleetStore } from './api/store';
import { StreamClient } from './api/stream';
import { App } from './App';
import { desktopBridge } from './desktop-bridge';
import { ApprovalNotifier } from './lib/approval-notifier';
import { WebNotifier } from './lib/notifications';
import { navigate } from './lib/route';
import { applyTheme } from './lib/theme';
import './styles/tokens.css';
import './styles/controls.css';
import './styles/badges.css';
import './styles/layout.css';
import './styles/drawer.css';
import './styles/overview.css';
import './styles/map.css';
import './styles/tables.css';
import './styles/alerts.css';
import './styles/alert-detail.css';
import './styles/empty.css';
import './styles/chart.css';
import './styles/explore.css';
import './styles/trends.css';
import './styles/capacity.css';
import './styles/settings.css';
import './styles/rules.css';
import './styles/stale.css';
import './styles/toast.css';
import './styles/region.css';
import './styles/incidents.css';
import './styles/recovery.css';
import './styles/security.css';
import './styles/audit.css';
import './styles/relays.css';

async function boot(): Promise<void> {
  applyTheme();
  const bridge = desktopBridge();
  // Subscribe first, before any await: the main process may ask for an alert right after load.
  bridge?.onOpenAlert((id) => navigate('alerts', id));
  bridge?.onOpenIncident((id) => navigate('incidents', id));
  const endpoint = await resolveEndpoint();
  const api = new ApiClient(endpoint);
  const store = new FleetStore();
  const stream = new StreamClient(endpoint, store, () =>
    api.get('GET /api/v1/session').then(
      () => 200,
      (err: unknown) => (err instanceof ApiRequestError ? err.status : 0),
    ),
  );
  stream.start();
  const resolves = new ResolveHold((ids, comment, opts) =>
    runAlertAction(api, store, 'resolve', ids, comment, opts),
  );
  // Closing or leaving the tab inside an undo window still resolves what the operator resolved.
  window.addEventListener('pagehide', () => resolves.flush());
  // In the desktop window the main process shows native notifications; never both.
  if (!bridge) {
    new WebNotifier(store).start();
    new ApprovalNotifier(api, store).start();
  }

  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <App services={{ api, store, stream, resolves }} />
    </StrictMode>,
  );
}

boot().catch((err: unknown) => {
  // Nothing to talk to (the desktop session could not be had): say so instead of a blank window.
  const root = document.getElementById('root')!;
  root.className = 'fatal';
  root.textContent = `Meridian could not start its console view: ${String((err as Error)?.message ?? err)}`;
});
