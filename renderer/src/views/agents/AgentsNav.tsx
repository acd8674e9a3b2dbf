import { hrefFor, type View } from '../../lib/route';

const PAGES: { view: View; label: string }[] = [
  { view: 'agents', label: 'Agents' },
  { view: 'relays', label: 'Relays' },
];

/** The fleet pages' own tabs (the header keeps one "Agents" entry for both). */
export function AgentsNav({ current }: { current: View }) {
  return (
    <nav className="segmented fleet-nav" aria-label="Fleet pages">
      {PAGES.map((p) => (
        <a
          key={p.view}
          href={hrefFor(p.view)}
          className={`segmented__item${current === p.view ? ' is-active' : ''}`}
          aria-current={current === p.view ? 'page' : undefined}
          data-testid={`fleet-nav-${p.view}`}
        >
          {p.label}
        </a>
      ))}
    </nav>
  );
}
