import { formatPercent } from '../lib/format';

/** A percentage with a thin bar; amber from 80 %, red from 95 % (the default rule thresholds). */
export function Meter({ value, wide = false }: { value: number | undefined; wide?: boolean }) {
  const known = value !== undefined && Number.isFinite(value);
  const level = !known ? 'none' : value >= 95 ? 'crit' : value >= 80 ? 'warn' : 'ok';
  return (
    <span className={`meter meter--${level}${wide ? ' meter--wide' : ''}`}>
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
