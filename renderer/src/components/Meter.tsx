import { formatPercent } from '../lib/format';

/**
 * A percentage with a thin bar; amber from 80 %, red from 95 % (the default rule thresholds).
 * `stale`: the last value of an agent that stopped reporting, drawn grey (it is not "now").
 */
export function Meter({
  value,
  wide = false,
  stale = false,
}: {
  value: number | undefined;
  wide?: boolean;
  stale?: boolean;
}) {
  const known = value !== undefined && Number.isFinite(value);
  const level = !known ? 'none' : value >= 95 ? 'crit' : value >= 80 ? 'warn' : 'ok';
  return (
    <span
      className={`meter meter--${level}${wide ? ' meter--wide' : ''}${stale ? ' meter--stale' : ''}`}
      data-stale={stale || undefined}
      title={stale ? 'Last value before the agent stopped reporting' : undefined}
    >
      <span className="meter__value">{formatPercent(value)}</span>
      <span className="meter__track" aria-hidden="true">
        <span
          className="meter__fill"
          style={{ transform: `scaleX(${known ? Math.min(100, Math.max(0, value)) / 100 : 0})` }}
        />
      </span>
    </span>
  );
}
