// Scrapes Prometheus exposition endpoints on the agent's host every interval and hands their
// samples (./forward.ts) and node_exporter's built-in equivalents (./node-exporter.ts) to the
// uplink. A target that is down, sends bad text or too many series is counted and said once
// per change of state; it never stops the agent or the other targets.
import type { Clock, TimerHandle } from '../../shared/clock.js';
import type { Sample } from '../../shared/protocol.js';
import { CounterRates } from './counter-rates.js';
import { ExpositionError, parseExposition } from './exposition.js';
import { forward } from './forward.js';
import { DEFAULT_SCRAPE_MAX_SERIES } from './limits.js';
import { NodeExporterMapping } from './node-exporter.js';
import type { ScrapeTarget } from './targets.js';

/** How a target's last scrape went. */
export type ScrapeState = 'ok' | 'down' | 'bad_text' | 'too_many_series';
/** Counted per target (`scrape_errors_total{reason}`). */
export type ScrapeErrorReason = Exclude<ScrapeState, 'ok'>;

/** A bigger body is refused as bad text rather than read into memory. */
export const MAX_SCRAPE_BYTES = 16 * 1024 * 1024;

export interface ScraperOptions {
  targets: readonly ScrapeTarget[];
  intervalMs: number;
  /** Series all targets together may send per scrape (DEFAULT_SCRAPE_MAX_SERIES). */
  maxSeries?: number;
  /** Counters' raw values too, beside their rates (./forward.ts). */
  rawCounters?: boolean;
  clock: Clock;
  send: (samples: Sample[]) => void;
  /** A target's state changed for the worse (stderr). */
  warn: (line: string) => void;
  /** A target answers (again) (stdout). */
  say: (line: string) => void;
}

interface TargetState {
  target: ScrapeTarget;
  state: ScrapeState | null;
  busy: boolean;
  rates: CounterRates;
  node: NodeExporterMapping;
  /** Built-in names this target's last scrape supplied. */
  builtins: Set<string>;
  scrapes: number;
  errors: Record<ScrapeErrorReason, number>;
}

export class Scraper {
  private readonly targets: TargetState[];
  private timer: TimerHandle | null = null;
  private readonly maxSeries: number;

  constructor(private readonly opts: ScraperOptions) {
    this.maxSeries = opts.maxSeries ?? DEFAULT_SCRAPE_MAX_SERIES;
    this.targets = opts.targets.map((target) => ({
      target,
      state: null,
      busy: false,
      rates: new CounterRates(),
      node: new NodeExporterMapping(),
      builtins: new Set(),
      scrapes: 0,
      errors: { down: 0, bad_text: 0, too_many_series: 0 },
    }));
  }

  start(): void {
    void this.scrapeAll();
    this.timer = this.opts.clock.setInterval(() => void this.scrapeAll(), this.opts.intervalMs);
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = null;
  }

  /**
   * The built-in metrics (cpu_usage …) a node_exporter target supplies right now: the agent's
   * own collectors leave these out, so a host is not reported twice. When node_exporter stops
   * answering, the set empties and the agent's own readings take over at their next run.
   */
  suppliedBuiltins(): ReadonlySet<string> {
    const names = new Set<string>();
    for (const t of this.targets) for (const n of t.builtins) names.add(n);
    return names;
  }

  /** Per target: scrapes, errors by reason and the current state. */
  stats() {
    return this.targets.map((t) => ({
      url: t.target.url,
      state: t.state,
      scrapes: t.scrapes,
      errors: { ...t.errors },
    }));
  }

  /** One scrape of every target (each skipped while its previous one still runs). */
  async scrapeAll(): Promise<void> {
    // The series budget is split evenly between the targets: one that exports too much cannot
    // crowd out the others.
    let budget = this.maxSeries;
    await Promise.all(
      this.targets.map(async (t, i) => {
        const share =
          i === this.targets.length - 1 ? budget : Math.ceil(budget / (this.targets.length - i));
        budget -= share;
        await this.scrape(t, share);
      }),
    );
  }

  private async scrape(t: TargetState, maxSeries: number): Promise<void> {
    if (t.busy) return;
    t.busy = true;
    t.scrapes++;
    const ts = this.opts.clock.now();
    const out: Sample[] = [];
    try {
      const text = await this.fetchText(t.target.url);
      if (typeof text !== 'string') {
        this.fail(t, text.reason ?? 'down', text.error);
      } else {
        this.read(t, text, ts, maxSeries, out);
      }
      out.push(...this.selfMetrics(t, ts));
      this.opts.send(out);
    } catch (err) {
      // A scrape runs from a timer: whatever goes wrong in it must not end the agent.
      out.length = 0;
      this.fail(t, 'bad_text', `could not be read: ${(err as Error).message}`);
    } finally {
      t.busy = false;
    }
  }

  private read(t: TargetState, text: string, ts: number, maxSeries: number, out: Sample[]): void {
    let parsed;
    try {
      parsed = parseExposition(text);
    } catch (err) {
      this.fail(t, 'bad_text', err instanceof ExpositionError ? err.message : String(err));
      return;
    }
    const builtins = t.node.map(parsed, ts);
    t.builtins = new Set(builtins.map((s) => s.name));
    out.push(...builtins);
    const fwd = forward(parsed, {
      instance: t.target.instance,
      ts,
      rates: t.rates,
      maxSeries,
      rawCounters: this.opts.rawCounters ?? false,
    });
    t.rates.endScrape();
    out.push(...fwd.samples);
    if (fwd.overLimit > 0) {
      this.fail(
        t,
        'too_many_series',
        `${fwd.series + fwd.overLimit} series, over the limit of ${maxSeries} (--scrape-max-series): the first ${fwd.series} are sent`,
      );
      return;
    }
    if (t.state !== 'ok') {
      const skipped = Object.entries(fwd.skipped).filter(([, n]) => n > 0);
      const note = skipped.length
        ? ` (${skipped.map(([why, n]) => `${n} ${why.replace('_', ' ')}`).join(', ')} left out)`
        : '';
      const builtinNote = builtins.length
        ? `; node_exporter: ${[...t.builtins].join(', ')} replace the agent's own`
        : '';
      this.opts.say(`scraping ${t.target.url}: ${fwd.series} series${note}${builtinNote}`);
    }
    t.state = 'ok';
  }

  private fail(t: TargetState, state: ScrapeErrorReason, detail: string): void {
    t.errors[state]++;
    if (state !== 'too_many_series') {
      t.rates.abandonScrape();
      t.builtins = new Set();
    }
    if (t.state !== state) {
      const what = {
        down: 'not answering',
        bad_text: 'bad exposition text',
        too_many_series: 'too many series',
      }[state];
      const fallback =
        state !== 'too_many_series'
          ? "; the agent's own cpu, memory and disk readings stand in"
          : '';
      this.opts.warn(
        `scrape ${t.target.url}: ${what}: ${detail}${state === 'too_many_series' ? '' : fallback}`,
      );
    }
    t.state = state;
  }

  /** Prometheus' `up`, and the errors so far: the console sees a target's health too. */
  private selfMetrics(t: TargetState, ts: number): Sample[] {
    const labels = { instance: t.target.instance };
    const samples: Sample[] = [
      {
        name: 'scrape_up',
        value: t.state === 'down' || t.state === 'bad_text' ? 0 : 1,
        ts,
        kind: 'gauge',
        labels,
      },
    ];
    for (const [reason, n] of Object.entries(t.errors)) {
      if (n > 0)
        samples.push({
          name: 'scrape_errors_total',
          value: n,
          ts,
          kind: 'counter',
          labels: { ...labels, reason },
        });
    }
    return samples;
  }

  /** The body as text, or why there is none; bounded in time (the interval, 2–10 s) and size. */
  private async fetchText(url: string): Promise<string | FetchFailure> {
    const timeoutMs = Math.min(10_000, Math.max(2_000, this.opts.intervalMs));
    const abort = new AbortController();
    const timer = this.opts.clock.setTimeout(() => abort.abort(), timeoutMs);
    try {
      const res = await fetch(url, {
        signal: abort.signal,
        headers: { Accept: 'text/plain;version=0.0.4;q=1,*/*;q=0.1' },
      });
      if (!res.ok) {
        await res.body?.cancel();
        return { error: `HTTP ${res.status}` };
      }
      return await readCapped(res, MAX_SCRAPE_BYTES);
    } catch (err) {
      if (abort.signal.aborted) return { error: `no answer within ${timeoutMs} ms` };
      const e = err as Error & { cause?: { code?: string; message?: string } };
      return { error: e.cause?.code ?? e.cause?.message ?? e.message };
    } finally {
      timer.cancel();
    }
  }
}

/** Why a scrape has no text: the endpoint is down, unless the reason says otherwise. */
interface FetchFailure {
  error: string;
  reason?: ScrapeErrorReason;
}

async function readCapped(res: Response, maxBytes: number): Promise<string | FetchFailure> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      return { error: `body over ${maxBytes} bytes`, reason: 'bad_text' };
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
