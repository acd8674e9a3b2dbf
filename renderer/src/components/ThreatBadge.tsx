import type { RegionThreat } from '../../../shared/threat-level';

/** "elevated · 7.5" with the episodes behind it in the title; "?" when the console did not say. */
export function ThreatBadge({
  threat,
  stale,
  testId,
}: {
  threat: RegionThreat | undefined;
  stale: boolean;
  testId?: string;
}) {
  if (!threat)
    return (
      <span className="threat threat--unknown" data-testid={testId} title="Threat level not known">
        {stale ? 'not known (console not answering)' : '…'}
      </span>
    );
  const rules = threat.topRules.map((r) => `${r.ruleId} ×${r.count}`).join(', ');
  const title =
    threat.detections === 0
      ? 'No detections in the last 24 h'
      : `Score ${threat.score} from ${threat.detections} detection(s) in the last 24 h ` +
        `(${threat.open} still open; ${threat.bySeverity.critical} critical, ` +
        `${threat.bySeverity.warning} warning, ${threat.bySeverity.info} info): ${rules}` +
        (stale ? '. The console is not answering: this is the last level it sent.' : '');
  return (
    <span
      className={`threat threat--${threat.level}${stale ? ' is-stale' : ''}`}
      data-testid={testId}
      data-level={threat.level}
      title={title}
    >
      {threat.level}
      {threat.score > 0 && <span className="threat__score"> · {threat.score}</span>}
      {stale && <span aria-label="stale"> ⚠</span>}
    </span>
  );
}
