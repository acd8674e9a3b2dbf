// Accessibility checks with axe-core, run inside the page: the axe script is evaluated over the
// DevTools protocol (the console's CSP allows no inline scripts, and needs not to), then
// axe.run() checks the whole document against WCAG 2.x A/AA and axe's best practices.
import axe from 'axe-core';
import type { Page } from 'playwright-core';

export type Impact = 'minor' | 'moderate' | 'serious' | 'critical';

export interface Finding {
  rule: string;
  impact: Impact | null;
  help: string;
  /** One line per offending element: its selector and what is wrong with it. */
  nodes: string[];
}

/** axe's violations on the page as it is now, those of at least `minImpact`. */
export async function axeViolations(page: Page, minImpact: Impact = 'serious'): Promise<Finding[]> {
  const loaded = await page.evaluate<boolean>('typeof window.axe === "object"');
  if (!loaded) await page.evaluate(axe.source);
  const results = await page.evaluate<axe.AxeResults>(
    `axe.run(document, { resultTypes: ['violations'] })`,
  );
  const rank: Record<Impact, number> = { minor: 0, moderate: 1, serious: 2, critical: 3 };
  return results.violations
    .filter((v) => v.impact && rank[v.impact] >= rank[minImpact])
    .map((v) => ({
      rule: v.id,
      impact: v.impact ?? null,
      help: v.help,
      nodes: v.nodes.map(
        (n) => `${n.target.join(' ')}: ${(n.failureSummary ?? '').replace(/\s+/g, ' ')}`,
      ),
    }));
}

/** A readable report of findings, for a failing assertion's message. */
export function describeFindings(findings: readonly Finding[]): string {
  return findings
    .map((f) => `${f.rule} (${f.impact}): ${f.help}\n  ${f.nodes.slice(0, 8).join('\n  ')}`)
    .join('\n');
}
