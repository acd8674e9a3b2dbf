// The detections: each Sigma rule's match or correlation episode, newest first, with its
// MITRE ATT&CK techniques, the source it grouped by and a link to its alert.
import type { DetectionView } from '../../../../shared/security';
import { SeverityBadge } from '../../components/badges';
import { ageSince } from '../../lib/format';
import { useServerNow } from '../../lib/now';
import { hrefFor } from '../../lib/route';
import type { SecurityFilters } from './security-filters';

export function DetectionList({
  detections,
  narrow,
}: {
  detections: readonly DetectionView[];
  narrow(patch: Partial<SecurityFilters>): void;
}) {
  const now = useServerNow();
  if (detections.length === 0)
    return (
      <p className="muted security__empty" data-testid="security-detections-empty">
        No detections.
      </p>
    );
  return (
    <ul className="security-detections" data-testid="security-detections">
      {detections.map((d) => {
        const ip = d.group.src_ip;
        return (
          <li
            key={`${d.ruleId}-${d.alertId ?? ''}-${d.detectedAt}`}
            className={`security-detection sevbar sevbar--${d.severity}`}
            data-testid="security-detection"
            data-rule={d.ruleId}
          >
            <div className="security-detection__top">
              <SeverityBadge severity={d.severity} />
              <strong>{d.title}</strong>
              <span className="muted num">{ageSince(d.detectedAt, now)} ago</span>
            </div>
            <div className="security-detection__facts">
              <span>
                {d.count} event{d.count === 1 ? '' : 's'} on {d.hostname ?? d.agentId}
              </span>
              {ip && (
                <button
                  type="button"
                  className="link-button num"
                  onClick={() => narrow({ sourceIp: ip })}
                  data-testid="security-detection-source"
                >
                  from {ip}
                </button>
              )}
              {d.mitre.length > 0 && <span className="muted">{d.mitre.join(', ')}</span>}
              {d.alertId && (
                <a href={hrefFor('alerts', d.alertId)} className="security-detection__alert">
                  alert
                </a>
              )}
            </div>
          </li>
        );
      })}
    </ul>
  );
}
