// No relay has connected yet: how to start one, with this console's ingest URL and secret
// (from the session, as the first-run page's agent command).
import { useState } from 'react';
import { DEFAULT_REGIONS } from '../../../../shared/regions';
import { useSession } from '../../api/use-session';
import { CommandBox, RegionPicker } from '../EmptyState';
import { relayCommand } from './relay-text';

export function RelaysEmpty() {
  const { session, error } = useSession();
  const [region, setRegion] = useState(DEFAULT_REGIONS[0]!.id);

  const command = session ? relayCommand(session, region) : null;
  return (
    <div className="relays__empty" data-testid="relays-empty">
      <p>
        No relay has connected. A relay is a collector in a region: the region’s agents connect to
        it, it judges their liveness there and forwards their data here through a queue on disk, so
        a WAN cut is one “relay cut off” alert, not an offline page per agent. Start one on a host
        in the region:
      </p>
      <div className="relays__empty-region">
        <RegionPicker value={region} onChange={setRegion} testId="relay-command-region" />
      </div>
      <CommandBox
        command={command}
        error={error}
        testId="relay-command"
        copyTestId="copy-relay-command"
      />
      <p className="muted">
        The relay prints the command that connects its region’s agents to it. This console’s ingest
        port must be reachable from the relay’s host (start the console with{' '}
        <code>--ingest-host 0.0.0.0</code>); see docs/scale-out.md.
      </p>
    </div>
  );
}
