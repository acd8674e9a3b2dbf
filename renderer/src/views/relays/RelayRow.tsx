// One relay: its link in words with an icon (never colour alone), the agents behind it, and the
// relay's queue and lag, marked as its last report while the link is lost.
import { Fragment } from 'react';
import type { Alert } from '../../../../shared/model';
import type { RelayView } from '../../../../shared/relays';
import { hrefFor } from '../../lib/route';
import {
  agentsText,
  heldText,
  lagText,
  lastContactText,
  lastOutageText,
  linkText,
  queueText,
  receivedText,
  reportAsOf,
} from './relay-text';

function LinkIcon({ state }: { state: RelayView['state'] }) {
  return (
    <svg className="icon relay-link__icon" viewBox="0 0 16 16" aria-hidden="true">
      {state === 'connected' && <path d="m3.5 8.5 3 3 6-7" />}
      {state === 'cut_off' && <path d="M2 8h4M10 8h4M7 4l2 8" />}
      {state === 'down' && <path d="M4 4l8 8M12 4l-8 8" />}
    </svg>
  );
}

export function RelayRow({
  relay: r,
  alert,
  now,
}: {
  relay: RelayView;
  /** Its open relay_unreachable alert, if any. */
  alert: Alert | null;
  now: number;
}) {
  const link = linkText(r, now);
  const held = heldText(r);
  const asOf = reportAsOf(r);
  return (
    <tr data-testid="relay-row" data-relay={r.name} data-state={r.state}>
      <th scope="row">
        <span className="cell-strong">{r.name}</span>
        <span className="relay-sub muted mono" title={`relay id ${r.id}`}>
          {r.address} · v{r.version}
        </span>
      </th>
      <td className="nowrap">{r.region}</td>
      <td>
        <span data-testid="relay-link">
          <span className={`relay-link relay-link--${r.state}`}>
            <LinkIcon state={r.state} />
            {link.label}
          </span>
          <span className="relay-sub muted"> — {link.detail}</span>
        </span>
        {alert && (
          <a className="relay-sub" href={hrefFor('alerts', alert.id)} data-testid="relay-alert">
            Alert {alert.state}
          </a>
        )}
      </td>
      <td data-testid="relay-agents">
        <span className="num">{agentsText(r)}</span>
        {held && (
          <span className="relay-sub relay-held" data-testid="relay-held">
            {held}
          </span>
        )}
      </td>
      <td data-testid="relay-queue">
        {/* Each figure unbroken, the line free to wrap between them (the 960 px layout). */}
        {queueText(r)
          .split(' · ')
          .map((part, i) => (
            <Fragment key={part}>
              {i > 0 && ' · '}
              <span className="num">{part}</span>
            </Fragment>
          ))}
        {asOf && (
          <span className="relay-sub muted" data-testid="relay-as-of">
            {asOf}
          </span>
        )}
      </td>
      <td data-testid="relay-lag" className="num">
        {lagText(r.lagMs)}
        {asOf && <span className="relay-sub muted">last report</span>}
      </td>
      <td data-testid="relay-last-contact" className="num">
        {lastContactText(r, now)}
      </td>
      <td data-testid="relay-received" className="num">
        {receivedText(r)}
      </td>
      <td data-testid="relay-last-outage">{lastOutageText(r, now)}</td>
    </tr>
  );
}
