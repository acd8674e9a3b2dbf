import { useState } from 'react';
import type { MaintenanceBody, Weekday } from '../../../../shared/silences';
import { WEEKDAYS } from '../../../../shared/silences';
import { useFleet, useServices } from '../../api/context';
import { byField } from '../../lib/operator';

const LOCAL_ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

/** New maintenance window: one-off (start + duration) or weekly (days, time, zone). */
export function MaintenanceForm({ onCreated }: { onCreated(text: string): void }) {
  const { api } = useServices();
  const regions = useFleet((s) => s.regions);
  const [name, setName] = useState('');
  const [scope, setScope] = useState<ReadonlySet<string>>(new Set());
  const [agents, setAgents] = useState('');
  const [kind, setKind] = useState<'once' | 'weekly'>('once');
  const [start, setStart] = useState('');
  const [hours, setHours] = useState('2');
  const [days, setDays] = useState<ReadonlySet<Weekday>>(new Set(['sun']));
  const [time, setTime] = useState('02:00');
  const [zone, setZone] = useState(LOCAL_ZONE);
  const [error, setError] = useState<string | null>(null);

  const minutes = Math.round(Number(hours) * 60);
  const agentIds = agents
    .split(/[,\s]+/)
    .map((s) => s.trim())
    .filter(Boolean);

  const body = (): MaintenanceBody | string => {
    if (!name.trim()) return 'Name the window.';
    if (scope.size === 0 && agentIds.length === 0) return 'Pick a region or name an agent.';
    if (!Number.isFinite(minutes) || minutes < 1) return 'Give a duration.';
    const base = {
      name: name.trim(),
      regions: [...scope],
      agents: agentIds,
      ...byField(),
    };
    if (kind === 'once') {
      const startsAt = start ? new Date(start).getTime() : NaN;
      if (!Number.isFinite(startsAt)) return 'Give a start.';
      return { ...base, schedule: { kind, startsAt, endsAt: startsAt + minutes * 60_000 } };
    }
    if (days.size === 0) return 'Pick at least one day.';
    return {
      ...base,
      schedule: { kind, days: [...days], time, durationMinutes: minutes, timeZone: zone.trim() },
    };
  };

  const submit = async () => {
    const b = body();
    if (typeof b === 'string') {
      setError(b);
      return;
    }
    setError(null);
    try {
      const out = await api.post('POST /api/v1/maintenance', {} as Record<string, never>, b);
      setName('');
      onCreated(`Created ${out.window.name} (${out.window.id}).`);
    } catch (err) {
      setError(`Could not create the window: ${(err as Error).message}`);
    }
  };

  const toggle = <T,>(set: ReadonlySet<T>, v: T): Set<T> => {
    const n = new Set(set);
    if (n.has(v)) n.delete(v);
    else n.add(v);
    return n;
  };

  return (
    <form
      className="panel silence-form"
      data-testid="maintenance-form"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <h2>New maintenance window</h2>
      <label className="field">
        <span>Name</span>
        <input
          className="input"
          value={name}
          maxLength={200}
          onChange={(e) => setName(e.target.value)}
          data-testid="maintenance-name"
        />
      </label>
      <fieldset className="field">
        <legend>Regions</legend>
        <div className="checks">
          {[...regions.values()].map((r) => (
            <label key={r.id}>
              <input
                type="checkbox"
                checked={scope.has(r.id)}
                onChange={() => setScope((s) => toggle(s, r.id))}
                data-testid={`maintenance-region-${r.id}`}
              />{' '}
              {r.name}
            </label>
          ))}
        </div>
      </fieldset>
      <label className="field">
        <span>Agents (ids, comma separated)</span>
        <input className="input" value={agents} onChange={(e) => setAgents(e.target.value)} />
      </label>
      <fieldset className="field">
        <legend>Schedule</legend>
        <div className="checks">
          <label>
            <input
              type="radio"
              name="mnt-kind"
              checked={kind === 'once'}
              onChange={() => setKind('once')}
            />{' '}
            Once
          </label>
          <label>
            <input
              type="radio"
              name="mnt-kind"
              checked={kind === 'weekly'}
              onChange={() => setKind('weekly')}
              data-testid="maintenance-weekly"
            />{' '}
            Every week
          </label>
        </div>
      </fieldset>
      {kind === 'once' ? (
        <label className="field">
          <span>Starts (local time)</span>
          <input
            className="input"
            type="datetime-local"
            value={start}
            onChange={(e) => setStart(e.target.value)}
            data-testid="maintenance-start"
          />
        </label>
      ) : (
        <>
          <fieldset className="field">
            <legend>Days</legend>
            <div className="checks">
              {WEEKDAYS.map((d) => (
                <label key={d}>
                  <input
                    type="checkbox"
                    checked={days.has(d)}
                    onChange={() => setDays((s) => toggle(s, d))}
                  />{' '}
                  {d}
                </label>
              ))}
            </div>
          </fieldset>
          <div className="field-row">
            <label className="field">
              <span>At</span>
              <input
                className="input"
                type="time"
                value={time}
                onChange={(e) => setTime(e.target.value)}
              />
            </label>
            <label className="field field--grow">
              <span>Time zone</span>
              <input className="input" value={zone} onChange={(e) => setZone(e.target.value)} />
            </label>
          </div>
        </>
      )}
      <label className="field">
        <span>Duration (hours)</span>
        <input
          className="input"
          type="number"
          min="0.1"
          step="0.5"
          value={hours}
          onChange={(e) => setHours(e.target.value)}
          data-testid="maintenance-hours"
        />
      </label>
      {error && (
        <p className="field-error" role="alert" data-testid="maintenance-error">
          {error}
        </p>
      )}
      <button type="submit" className="btn btn--primary" data-testid="maintenance-create">
        Create window
      </button>
    </form>
  );
}
