// Words and numbers of the Compliance page and the drawer's Posture section.
import type { ControlResult, ControlView } from '../../../../shared/compliance';
import type { FactValue } from '../../../../shared/posture';

export const RESULT_LABEL: Record<ControlResult, string> = {
  pass: 'Pass',
  fail: 'Fail',
  unknown: 'Unknown',
};

/** "87 %" or "—" when nothing was evaluated. */
export function ratioText(ratio: number | null): string {
  return ratio === null ? '—' : `${Math.round(ratio * 100)} %`;
}

/** A control's overall result: failing if any subject fails, else unknown if any is. */
export function overallResult(c: Pick<ControlView, 'pass' | 'fail' | 'unknown'>): ControlResult {
  if (c.fail > 0) return 'fail';
  if (c.unknown > 0 || c.pass === 0) return 'unknown';
  return 'pass';
}

export function valueText(v: FactValue): string {
  if (v === null) return '—';
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  return String(v);
}

/** Framework references in one line: "PCI-DSS 8.3.4, 10.4.1 · GDPR 33". */
export function refsText(refs: ControlView['refs']): string {
  const names: Record<string, string> = {
    'pci-dss': 'PCI-DSS',
    gdpr: 'GDPR',
    sox: 'SOX',
    cis: 'CIS',
  };
  return Object.entries(refs)
    .map(([fw, list]) => `${names[fw] ?? fw} ${(list ?? []).join(', ')}`)
    .join(' · ');
}
