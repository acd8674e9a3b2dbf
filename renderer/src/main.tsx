import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { resolveEndpoint } from './api/endpoint';
import { ApiClient } from './api/http';
import { FleetStore } from './api/store';
import { StreamClient } from './api/stream';
import { App } from './App';
import { desktopBridge } from './desktop-bridge';
import { WebNotifier } from './lib/notifications';
import { navigate } from './lib/route';
import { applyTheme } from './lib/theme';
import './styles/base.css';
import './styles/layout.css';
import './styles/overview.css';
import './styles/tables.css';
import './styles/alerts.css';

async function boot(): Promise<void> {
  applyTheme();
  const endpoint = await resolveEndpoint();
  const api = new ApiClient(endpoint);
  const store = new FleetStore();
  const stream = new StreamClient(endpoint, store);
  stream.start();

  const bridge = desktopBridge();
  if (bridge) {
    // Native notifications come from the main process; clicking one asks us to show the alert.
    bridge.onOpenAlert((id) => navigate('alerts', id));
  } else {
    new WebNotifier(store).start();
  }

  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <App services={{ api, store, stream }} />
    </StrictMode>,
  );
}

void boot();
