// The Prometheus text exposition format (version 0.0.4), as documented at
// prometheus.io/docs/instrumenting/exposition_formats: one sample a line,
// `name{label="value",…} value [timestamp]`, with `# HELP` and `# TYPE` lines.
//
// A small parser of our own rather than parse-prometheus-text-format: that package is
// unmaintained, drops the labels of histogram and summary series and skips a "0" bucket (its fix
// has waited unmerged since 2019), and regroups samples into per-family objects with string
// values, while the agent wants flat samples with their labels intact. The format is small
// and fully specified; test/unit/scrape-exposition.test.ts covers it on real node_exporter text.

export type FamilyType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface ExpositionSample {
  /** The sample's own name (`x_bucket`, `x_sum`, `x_count` for a histogram `x`). */
  name: string;
  labels: Record<string, string>;
  /** May be NaN or ±Infinity: the format allows them; the caller decides what to do. */
  value: number;
  /** The exposition's own timestamp (ms), when the line has one. */
  timestampMs?: number;
  /** The family the sample belongs to (its `# TYPE` name) and that family's type. */
  family: string;
  type: FamilyType;
}

/** Text that is not the exposition format: the whole scrape is refused (as Prometheus does). */
export class ExpositionError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
  }
}

const TYPES = new Set<FamilyType>(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const SPECIAL: Record<string, number> = {
  nan: NaN,
  inf: Infinity,
  '+inf': Infinity,
  '-inf': -Infinity,
};

/** A float as Go's strconv.ParseFloat reads one in this format: decimals, NaN, ±Inf. */
export function parseFloatValue(raw: string): number | null {
  const special = SPECIAL[raw.toLowerCase()];
  if (special !== undefined) return special;
  return DECIMAL.test(raw) ? Number(raw) : null;
}

/** The samples of one exposition text, in order. Throws ExpositionError on the first bad line. */
export function parseExposition(text: string): ExpositionSample[] {
  const types = new Map<string, FamilyType>();
  const out: ExpositionSample[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '').trim();
    if (line === '') continue;
    if (line.startsWith('#')) {
      typeLine(line, i + 1, types, out);
      continue;
    }
    out.push(sampleLine(line, i + 1, types));
  }
  return out;
}

function typeLine(
  line: string,
  lineNo: number,
  types: Map<string, FamilyType>,
  seen: readonly ExpositionSample[],
): void {
  const words = line
    .slice(1)
    .trim()
    .split(/[ \t]+/);
  if (words[0] !== 'TYPE') return; // HELP and plain comments carry nothing the agent sends.
  const [, name, type] = words;
  if (!name || !NAME.test(name) || NAME.exec(name)![0] !== name)
    throw new ExpositionError(lineNo, `bad metric name in TYPE: '${name ?? ''}'`);
  if (!type || !TYPES.has(type as FamilyType) || words.length > 3)
    throw new ExpositionError(lineNo, `unknown TYPE '${words.slice(2).join(' ')}' for ${name}`);
  if (types.has(name)) throw new ExpositionError(lineNo, `second TYPE line for ${name}`);
  if (seen.some((s) => s.family === name))
    throw new ExpositionError(lineNo, `TYPE for ${name} after its samples`);
  types.set(name, type as FamilyType);
}

/** The family a sample name belongs to: a histogram's `_bucket`/`_sum`/`_count` go to it. */
function familyOf(name: string, types: Map<string, FamilyType>): [string, FamilyType] {
  const own = types.get(name);
  if (own) return [name, own];
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (!name.endsWith(suffix)) continue;
    const base = name.slice(0, -suffix.length);
    const t = types.get(base);
    if (t === 'histogram' || (t === 'summary' && suffix !== '_bucket')) return [base, t];
  }
  return [name, 'untyped'];
}

function sampleLine(line: string, lineNo: number, types: Map<string, FamilyType>) {
  const fail = (why: string): never => {
    throw new ExpositionError(lineNo, why);
  };
  const name = NAME.exec(line)?.[0] ?? fail(`expected a metric name at '${line.slice(0, 40)}'`);
  let pos = name.length;
  const labels: Record<string, string> = Object.create(null) as Record<string, string>;
  const skipSpace = () => {
    while (line[pos] === ' ' || line[pos] === '\t') pos++;
  };
  skipSpace();
  if (line[pos] === '{') {
    pos++;
    for (;;) {
      skipSpace();
      if (line[pos] === '}') break;
      const labelName =
        LABEL_NAME.exec(line.slice(pos))?.[0] ?? fail(`expected a label name in ${name}`);
      pos += labelName.length;
      skipSpace();
      if (line[pos] !== '=') fail(`expected '=' after label ${labelName} in ${name}`);
      pos++;
      skipSpace();
      if (line[pos] !== '"') fail(`expected '"' to open the value of label ${labelName}`);
      pos++;
      let value = '';
      for (;;) {
        const c = line[pos++];
        if (c === undefined) fail(`unterminated value of label ${labelName}`);
        if (c === '"') break;
        if (c === '\\') {
          const e = line[pos++];
          if (e === '\\') value += '\\';
          else if (e === '"') value += '"';
          else if (e === 'n') value += '\n';
          else fail(`bad escape '\\${e ?? ''}' in the value of label ${labelName}`);
        } else value += c;
      }
      if (Object.hasOwn(labels, labelName)) fail(`label ${labelName} twice in ${name}`);
      labels[labelName] = value;
      skipSpace();
      if (line[pos] === ',') {
        pos++;
        continue;
      }
      if (line[pos] !== '}') fail(`expected ',' or '}' after label ${labelName} in ${name}`);
      break;
    }
    pos++;
  }
  const rest = line
    .slice(pos)
    .trim()
    .split(/[ \t]+/);
  if (rest.length < 1 || rest[0] === '' || rest.length > 2) fail(`expected 'value [timestamp]'`);
  const value = parseFloatValue(rest[0]!);
  if (value === null) fail(`bad value '${rest[0]}' for ${name}`);
  let timestampMs: number | undefined;
  if (rest[1] !== undefined) {
    if (!/^-?\d+$/.test(rest[1])) fail(`bad timestamp '${rest[1]}' for ${name}`);
    timestampMs = Number(rest[1]);
  }
  const [family, type] = familyOf(name, types);
  if (type === 'histogram' && name === `${family}_bucket` && !('le' in labels))
    fail(`histogram bucket ${name} without an 'le' label`);
  return {
    name,
    labels: { ...labels },
    value: value!,
    ...(timestampMs !== undefined ? { timestampMs } : {}),
    family,
    type,
  };
}
