const W = 100;
const H = 24;

/** A tiny trend line (no axes) that fills its box; the scale starts at zero so it never exaggerates. */
export function Sparkline({ values }: { values: readonly number[] }) {
  if (values.length < 2) return <svg className="spark" aria-hidden="true" />;
  const top = Math.max(...values, 1) * 1.2;
  const step = W / (values.length - 1);
  const pts = values
    .map((v, i) => `${(i * step).toFixed(2)},${(H - (v / top) * H).toFixed(2)}`)
    .join(' ');
  return (
    <svg className="spark" viewBox={`0 0 ${W} ${H}`} preserveAspectRatio="none" aria-hidden="true">
      <polygon className="spark__area" points={`0,${H} ${pts} ${W},${H}`} />
      <polyline className="spark__line" points={pts} />
    </svg>
  );
}
