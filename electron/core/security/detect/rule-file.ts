// One rule file (one or more YAML documents separated by `---`) → compiled rules, or the
// first error with its line. A file is all or nothing: one bad document rejects the file.
import { isAlias, LineCounter, parseAllDocuments, visit } from 'yaml';
import type { FieldMatchOptions } from './field-match.js';
import { RuleError, YamlLines } from './rule-error.js';
import { isPlainObject, parseRuleInfo } from './rule-meta.js';
import { parseCorrelation, type CorrelationSpec } from './sigma-correlation.js';
import { compileDetection, compileLogsource } from './sigma-detection.js';
import type { CompiledDetectionRule, RuleInfo } from './types.js';

/** A correlation as read from its file, before its references are resolved. */
export interface ParsedCorrelation extends RuleInfo {
  kind: 'correlation';
  spec: CorrelationSpec;
  /** Line of `correlation.rules`, for reference errors found later. */
  rulesLine: number;
}

export type ParsedRule = CompiledDetectionRule | ParsedCorrelation;

export function parseRuleFile(file: string, text: string, opts: FieldMatchOptions): ParsedRule[] {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines, prettyErrors: true });
  if (!Array.isArray(docs)) return []; // an empty stream
  const out: ParsedRule[] = [];
  for (const doc of docs) {
    const err = doc.errors[0];
    if (err) {
      const line = err.linePos?.[0].line ?? lines.linePos(err.pos[0]).line;
      throw new RuleError(file, line, `YAML: ${err.message.split('\n')[0]}`);
    }
    const startLine = doc.contents?.range ? lines.linePos(doc.contents.range[0]).line : 1;
    const at = new YamlLines(file, doc, lines, startLine);
    // Anchors and aliases have no use in a rule, and expanding them is a memory bomb.
    let alias: number | undefined;
    visit(doc, {
      Alias(_key, node) {
        if (isAlias(node) && node.range) alias = lines.linePos(node.range[0]).line;
        return visit.BREAK;
      },
    });
    if (alias !== undefined)
      throw new RuleError(file, alias, 'YAML aliases (*name) are not supported');
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue; // an empty document
    if (!isPlainObject(value)) throw at.error([], 'a rule must be a YAML map');
    if (value.action !== undefined) {
      throw at.keyError([], 'action', "rule collections ('action: global') are not supported");
    }
    const info = parseRuleInfo(value, at);
    if (value.correlation !== undefined) {
      for (const k of ['detection', 'logsource']) {
        if (value[k] !== undefined) throw at.keyError([], k, `a correlation rule has no '${k}'`);
      }
      out.push({
        ...info,
        kind: 'correlation',
        spec: parseCorrelation(value.correlation, at),
        rulesLine: at.lineOf(['correlation', 'rules']),
      });
      continue;
    }
    if (value.detection === undefined)
      throw at.error([], "a rule needs 'detection' (or 'correlation')");
    if (value.logsource === undefined) throw at.error([], "'logsource' is required");
    out.push({
      ...info,
      kind: 'detection',
      inLogsource: compileLogsource(value.logsource, at),
      matches: compileDetection(value.detection, at, opts),
    });
  }
  return out;
}
