import { hrefFor, type View } from '../../lib/route';

const PAGES: { view: View; label: string }[] = [
  { view: 'incidents', label: 'Incidents' },
  { view: 'silences', label: 'Silences' },
  { view: 'maintenance', label: 'Maintenance' },
];

/** The triage pages' own tabs (the header keeps one "Incidents" entry for all three). */
export function TriageNav({ current }: { current: View }) {
  return (
    <nav className="segmented triage-nav" aria-label="Triage pages">
      {PAGES.map((p) => (
        <a
          key={p.view}
          href={hrefFor(p.view)}
          className={`segmented__item${current === p.view ? ' is-active' : ''}`}
          aria-current={current === p.view ? 'page' : undefined}
          data-testid={`triage-${p.view}`}
        >
          {p.label}
        </a>
      ))}
    </nav>
  );
}
