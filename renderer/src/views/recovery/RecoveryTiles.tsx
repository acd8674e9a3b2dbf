// The Recovery page's key figures: incidents recovered automatically, median MTTR and median
// time to act, over the incidents the recovery service has figures for.
import { plural } from '../../lib/format';
import { formatDuration } from '../../lib/recovery-text';
import { Tile } from '../overview/Tile';
import type { Overall } from './useRecoveryData';

export function RecoveryTiles({ overall }: { overall: Overall | null }) {
  const incidents = overall?.incidents ?? 0;
  const automatic = overall?.automatic ?? 0;
  return (
    <section className="kpis recovery__kpis" aria-label="Recovery figures">
      <Tile
        label="Recovered automatically"
        testId="recovery-kpi-automatic"
        tone={overall && automatic > 0 ? 'ok' : 'muted'}
        foot={
          overall
            ? `of ${plural(incidents, 'incident')} · ${incidents ? Math.round((automatic / incidents) * 100) : 0} %`
            : 'not loaded'
        }
      >
        <span data-testid="recovery-automatic" data-value={overall?.automatic ?? ''}>
          {overall ? automatic.toLocaleString('en') : '—'}
        </span>
      </Tile>
      <Tile label="Median MTTR" testId="recovery-kpi-mttr" foot="incident opened → resolved">
        <span data-testid="recovery-mttr" data-value={overall?.medianMttrMs ?? ''}>
          {formatDuration(overall?.medianMttrMs)}
        </span>
      </Tile>
      <Tile
        label="Median time to act"
        testId="recovery-kpi-tta"
        foot="incident opened → first action sent"
      >
        <span data-testid="recovery-tta" data-value={overall?.medianTimeToActMs ?? ''}>
          {formatDuration(overall?.medianTimeToActMs)}
        </span>
      </Tile>
    </section>
  );
}
