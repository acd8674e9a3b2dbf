import { useCallback, useState } from 'react';
import { useServices } from '../../api/context';
import { usePolled } from '../../lib/use-polled';
import { AlertmanagersPanel } from './AlertmanagersPanel';
import { ChannelsPanel } from './ChannelsPanel';
import { EnrolmentPanel } from './EnrolmentPanel';
import { OperatorPanel } from './OperatorPanel';
import { PoliciesPanel } from './PoliciesPanel';
import { RemoteWritePanel } from './RemoteWritePanel';
import { StoragePanel } from './StoragePanel';

/** The console's own settings and figures. */
export function SettingsView() {
  const { api } = useServices();
  const [version, setVersion] = useState(0);
  // The policy editor picks from the channels; reloaded when the channel panel changes them.
  const load = useCallback(
    () => api.get('GET /api/v1/channels').then((r) => (version >= 0 ? r.channels : [])),
    [api, version],
  );
  const channels = usePolled(load, 30_000).data ?? [];
  return (
    <div className="settings" data-testid="settings-view">
      <OperatorPanel />
      <ChannelsPanel onChange={() => setVersion((v) => v + 1)} />
      <PoliciesPanel channels={channels} />
      <AlertmanagersPanel />
      <RemoteWritePanel />
      <StoragePanel />
      <EnrolmentPanel />
    </div>
  );
}
