export interface Step {
  id: string;
  /** An npm script, run as `npm run <script>`. */
  script?: string;
  /** Or an argv (tests of the runner). */
  command?: string[];
  /** A vitest run: gets a JSON report, whose counts go in the table. */
  vitest?: boolean;
  /** Not run when the build failed. */
  needsBuild?: boolean;
  /** A directory emptied before the step (the build's output). */
  cleans?: string;
}

export interface Counts {
  passed: number;
  failed: number;
  skipped: number;
}

export interface Row {
  id: string;
  result: string;
  counts: Counts | null;
  ms: number | null;
}

export const STEPS: Step[];
export function countsFrom(reportPath: string): Counts | null;
export function resultOf(exitCode: number, counts: Counts | null): string;
export function runSteps(
  steps: Step[],
  opts: { root?: string; reportsDir: string; log?: (s: string) => void },
): Row[];
export function failedSteps(rows: Row[]): string[];
export function summary(rows: Row[]): string;
