import { StoragePanel } from './StoragePanel';

/** The console's own settings and figures. */
export function SettingsView() {
  return (
    <div className="settings" data-testid="settings-view">
      <StoragePanel />
    </div>
  );
}
