// The metadata every Sigma rule carries (title, id, level, tags, …), validated with lines.
import type { YamlLines } from './rule-error.js';
import type { DetectionSeverity, RuleInfo } from './types.js';

const LEVELS: Record<string, DetectionSeverity> = {
  critical: 'critical',
  high: 'critical',
  medium: 'warning',
  low: 'info',
  informational: 'info',
};
const STATUSES = ['stable', 'test', 'experimental', 'deprecated', 'unsupported'];

/** `attack.t1110.001` → `T1110.001`; other tags (tactics, cve, car) are not techniques. */
const TECHNIQUE_TAG = /^attack\.(t\d{4}(?:\.\d{3})?)$/i;

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function parseRuleInfo(doc: Record<string, unknown>, at: YamlLines): RuleInfo {
  const str = (key: string, required: boolean): string | undefined => {
    const v = doc[key];
    if (v === undefined || v === null) {
      if (required) throw at.error([], `'${key}' is required`);
      return undefined;
    }
    if (typeof v !== 'string' || v.trim() === '') {
      throw at.error([key], `'${key}' must be a non-empty string`);
    }
    return v;
  };
  const title = str('title', true)!;
  const id = str('id', true)!;
  const name = str('name', false);
  const description = str('description', false) ?? '';
  const status = str('status', false) ?? 'experimental';
  if (!STATUSES.includes(status)) {
    throw at.error(['status'], `status '${status}' is not one of ${STATUSES.join(', ')}`);
  }
  const level = str('level', false) ?? 'medium';
  const severity = LEVELS[level];
  if (!severity) {
    throw at.error(['level'], `level '${level}' is not one of ${Object.keys(LEVELS).join(', ')}`);
  }
  const tagsRaw = doc.tags ?? [];
  if (!Array.isArray(tagsRaw) || tagsRaw.some((t) => typeof t !== 'string')) {
    throw at.error(['tags'], "'tags' must be a list of strings");
  }
  const tags = tagsRaw as string[];
  const mitre = [
    ...new Set(
      tags.flatMap((t) => {
        const m = TECHNIQUE_TAG.exec(t);
        return m ? [m[1]!.toUpperCase()] : [];
      }),
    ),
  ];
  return {
    id,
    ...(name !== undefined ? { name } : {}),
    title,
    description,
    status,
    level,
    severity,
    tags,
    mitre,
    file: at.file,
  };
}
