// A rule file's problem, always with the file and the line, so an operator can go straight to it.
import { isMap, isNode, LineCounter, type Document, type Node } from 'yaml';

export class RuleError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly reason: string,
  ) {
    super(`${file}:${line}: ${reason}`);
    this.name = 'RuleError';
  }
}

export type YamlPath = readonly (string | number)[];

/**
 * Finds lines of paths in one parsed YAML document, so validation of the plain JS value can
 * point at the line of the offending key or value.
 */
export class YamlLines {
  constructor(
    readonly file: string,
    private readonly doc: Document,
    private readonly lines: LineCounter,
    /** Line of the document's start, for paths that do not exist. */
    private readonly fallbackLine: number,
  ) {}

  /** The line of the value at `path`, or of the nearest existing ancestor. */
  lineOf(path: YamlPath): number {
    for (let n = path.length; n >= 0; n--) {
      const node = this.doc.getIn(path.slice(0, n), true);
      if (isNode(node) && node.range) return this.lines.linePos(node.range[0]).line;
    }
    return this.fallbackLine;
  }

  /** The line of the key `key` in the map at `path` (or of the map when the key is absent). */
  lineOfKey(path: YamlPath, key: string): number {
    const parent = this.doc.getIn(path, true) as Node | undefined;
    if (isMap(parent)) {
      for (const pair of parent.items) {
        const k = pair.key;
        if (isNode(k) && String((k as { value?: unknown }).value) === key && k.range) {
          return this.lines.linePos(k.range[0]).line;
        }
      }
    }
    return this.lineOf(path);
  }

  error(path: YamlPath, reason: string): RuleError {
    return new RuleError(this.file, this.lineOf(path), reason);
  }

  keyError(path: YamlPath, key: string, reason: string): RuleError {
    return new RuleError(this.file, this.lineOfKey(path, key), reason);
  }
}
