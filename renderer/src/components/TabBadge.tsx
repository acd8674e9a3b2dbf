// Keeps the tab's title and favicon in step with the alerts that need someone.
import { useEffect, useMemo } from 'react';
import { useFleet } from '../api/context';
import { faviconHref, tabBadge, tabTitle } from '../lib/tab-badge';

function iconLink(): HTMLLinkElement {
  let link = document.querySelector<HTMLLinkElement>('link[rel="icon"]');
  if (!link) {
    link = document.createElement('link');
    link.rel = 'icon';
    document.head.appendChild(link);
  }
  return link;
}

export function TabBadge() {
  const alerts = useFleet((s) => s.alerts);
  const badge = useMemo(() => tabBadge(alerts.values()), [alerts]);
  const { count, worst } = badge;
  useEffect(() => {
    const b = { count, worst };
    document.title = tabTitle(b);
    const link = iconLink();
    link.type = 'image/svg+xml';
    link.href = faviconHref(b);
    link.dataset.count = String(count);
  }, [count, worst]);
  return null;
}
