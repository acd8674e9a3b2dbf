import { useEffect, useState } from 'react';
import type { Alert } from '../../../../shared/model';
import type { SilenceBody } from '../../../../shared/silences';
import { systemClock } from '../../../../shared/clock';
import { useServices } from '../../api/context';
import { SeverityBadge } from '../../components/badges';
import { byField } from '../../lib/operator';
import { parseMatchers } from '../../lib/silence-text';

const PREVIEW_DEBOUNCE_MS = 300;

interface Preview {
  alerts: Alert[];
  incidents: string[];
}

/** New silence: matchers, a duration, a comment; shows what it would match before saving. */
export function SilenceForm({ onCreated }: { onCreated(text: string): void }) {
  const { api } = useServices();
  const [matchersText, setMatchersText] = useState('');
  const [hours, setHours] = useState('2');
  const [comment, setComment] = useState('');
  const [preview, setPreview] = useState<Preview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const parsed = parseMatchers(matchersText);
  const minutes = Math.round(Number(hours) * 60);
  const durationOk = Number.isFinite(minutes) && minutes >= 1 && minutes <= 366 * 24 * 60;

  const body = (): SilenceBody | null =>
    parsed.ok && durationOk
      ? {
          matchers: parsed.matchers,
          durationMinutes: minutes,
          ...(comment.trim() ? { comment: comment.trim() } : {}),
          ...byField(),
        }
      : null;

  // The preview follows the matchers as they are typed (debounced), as the core would match now.
  const key = parsed.ok ? JSON.stringify(parsed.matchers) : '';
  useEffect(() => {
    if (!key) {
      setPreview(null);
      return;
    }
    let live = true;
    const timer = systemClock.setTimeout(() => {
      api
        .post('POST /api/v1/silences/preview', {} as Record<string, never>, {
          matchers: JSON.parse(key) as SilenceBody['matchers'],
          durationMinutes: 60,
        })
        .then(
          (r) => live && setPreview({ alerts: r.alerts, incidents: r.incidents }),
          (err: unknown) => live && setError((err as Error).message),
        );
    }, PREVIEW_DEBOUNCE_MS);
    return () => {
      live = false;
      timer.cancel();
    };
  }, [api, key]);

  const submit = async () => {
    const b = body();
    if (!b) return;
    setError(null);
    try {
      const out = await api.post('POST /api/v1/silences', {} as Record<string, never>, b);
      setMatchersText('');
      setComment('');
      onCreated(`Created ${out.silence.id}.`);
    } catch (err) {
      setError(`Could not create the silence: ${(err as Error).message}`);
    }
  };

  return (
    <form
      className="panel silence-form"
      data-testid="silence-form"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <h2>New silence</h2>
      <label className="field">
        <span>Matchers</span>
        <input
          className="input"
          value={matchersText}
          placeholder="region=eu-west-1, rule=~cpu.*"
          onChange={(e) => setMatchersText(e.target.value)}
          data-testid="silence-matchers"
        />
      </label>
      <p className="muted small">
        Labels: region, agent, hostname, rule, severity, metric, or an agent label; operators =, !=,
        =~, !~.
      </p>
      <div className="field-row">
        <label className="field">
          <span>Duration (hours)</span>
          <input
            className="input"
            type="number"
            min="0.1"
            step="0.5"
            value={hours}
            onChange={(e) => setHours(e.target.value)}
            data-testid="silence-hours"
          />
        </label>
        <label className="field field--grow">
          <span>Comment</span>
          <input
            className="input"
            value={comment}
            maxLength={2000}
            onChange={(e) => setComment(e.target.value)}
            data-testid="silence-comment"
          />
        </label>
      </div>
      {!parsed.ok && matchersText.trim() && (
        <p className="field-error" data-testid="silence-matchers-error">
          {parsed.error}
        </p>
      )}
      {preview && (
        <div
          className="silence-preview"
          data-testid="silence-preview"
          data-count={preview.alerts.length}
        >
          <strong>
            Matches {preview.alerts.length} open {preview.alerts.length === 1 ? 'alert' : 'alerts'}
            {preview.incidents.length > 0 && ` in ${preview.incidents.length} incident(s)`} now
          </strong>
          <ul>
            {preview.alerts.slice(0, 8).map((a) => (
              <li key={a.id}>
                <SeverityBadge severity={a.severity} /> {a.message}
              </li>
            ))}
            {preview.alerts.length > 8 && (
              <li className="muted">and {preview.alerts.length - 8} more</li>
            )}
          </ul>
        </div>
      )}
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      <button
        type="submit"
        className="btn btn--primary"
        disabled={!body()}
        data-testid="silence-create"
      >
        Create silence
      </button>
    </form>
  );
}
