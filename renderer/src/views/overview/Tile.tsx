// A key-figure tile of the overview: a label, a value and a foot line; a button when it leads somewhere.
import type { ReactNode } from 'react';

export function Tile({
  label,
  testId,
  tone,
  children,
  foot,
  onClick,
}: {
  label: string;
  testId: string;
  tone?: 'critical' | 'warning' | 'ok' | 'muted' | undefined;
  children: ReactNode;
  foot: ReactNode;
  onClick?: () => void;
}) {
  const Tag = onClick ? 'button' : 'div';
  return (
    <Tag
      className={`kpi${tone ? ` kpi--${tone}` : ''}${onClick ? ' kpi--link' : ''}`}
      data-testid={testId}
      {...(onClick ? { type: 'button' as const, onClick } : {})}
    >
      <span className="kpi__label">{label}</span>
      <span className="kpi__value">{children}</span>
      <span className="kpi__foot">{foot}</span>
    </Tag>
  );
}
