import { hrefFor, type View } from '../../lib/route';

export const SECURITY_PAGES: { view: View; label: string }[] = [
  { view: 'security', label: 'Events & detections' },
  { view: 'compliance', label: 'Compliance' },
  { view: 'audit', label: 'Audit trail' },
];

/** The security pages' own tabs (the header keeps one "Security" entry for all three). */
export function SecurityNav({ current }: { current: View }) {
  return (
    <nav className="segmented security-nav" aria-label="Security pages">
      {SECURITY_PAGES.map((p) => (
        <a
          key={p.view}
          href={hrefFor(p.view)}
          className={`segmented__item${current === p.view ? ' is-active' : ''}`}
          aria-current={current === p.view ? 'page' : undefined}
          data-testid={`security-nav-${p.view}`}
        >
          {p.label}
        </a>
      ))}
    </nav>
  );
}
