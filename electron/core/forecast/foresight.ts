// Forecasts and anomaly detection as one part of the core: the forecast worker and the
// forecasting service, the streaming anomaly detectors, and the API they answer together.
// core.ts builds one and wires it; this keeps that wiring in one place.
import { FORECAST_HORIZON_DEFAULT_MS } from '../../../shared/forecast.js';
import type { Rule } from '../../../shared/rules.js';
import { AnomalyService } from '../anomaly/anomaly-service.js';
import type { RollupSource } from '../anomaly/fleet-scan.js';
import type { ForecastingApi } from '../api/route-spec.js';
import type { Clock } from '../clock.js';
import type { Fleet } from '../fleet/fleet.js';
import type { AlertReport } from '../incidents/alert-book.js';
import type { Alert } from '../../../shared/model.js';
import type { Logger } from '../logger.js';
import { ForecastRunner } from './forecast-runner.js';
import { ForecastingService } from './forecasting-service.js';
import type { ForecastSource } from './forecast-input.js';
import type { SeriesCatalogue } from './targets.js';

export interface ForesightDeps {
  clock: Clock;
  logger: Logger;
  store: ForecastSource & SeriesCatalogue & RollupSource;
  fleet: Fleet;
  rules: () => readonly Rule[];
  alerts: {
    report(r: AlertReport): Alert;
    clear(ruleId: string, subjectKey: string, lastValue: number | null): void;
  };
}

export interface ForesightSettings {
  forecastRegionsEveryMs: number;
  forecastAgentsEveryMs: number;
  outliersEveryMs: number;
  anomalyWarmupMs: number;
}

export class Foresight {
  /** The forecast worker (the bench loads it while it measures alert latency). */
  readonly runner = new ForecastRunner();
  readonly forecasting: ForecastingService;
  readonly anomalies: AnomalyService;

  constructor(deps: ForesightDeps, settings: ForesightSettings) {
    this.forecasting = new ForecastingService(
      { ...deps, runner: this.runner },
      {
        regionsEveryMs: settings.forecastRegionsEveryMs,
        agentsEveryMs: settings.forecastAgentsEveryMs,
        horizonMs: FORECAST_HORIZON_DEFAULT_MS,
      },
    );
    this.anomalies = new AnomalyService(deps, {
      outliersEveryMs: settings.outliersEveryMs,
      maxEpisodes: 1_000,
      warmupMs: settings.anomalyWarmupMs,
    });
  }

  /** What the forecast, capacity, anomaly and outlier routes answer from. */
  api(): ForecastingApi {
    return {
      forecast: (q) => this.forecasting.forecast(q),
      capacity: (q) => this.forecasting.capacity(q),
      anomalies: (q) => this.anomalies.anomalies(q),
      outliers: (q) => this.anomalies.outliers(q),
    };
  }

  setRules(rules: readonly Rule[]): void {
    this.anomalies.setRules(rules);
  }

  start(): void {
    this.forecasting.start();
    this.anomalies.start();
  }

  /** Resolves once a forecast run under way is done with the store and the worker is gone. */
  async stop(): Promise<void> {
    this.anomalies.stop();
    await this.forecasting.stop();
    await this.runner.close();
  }
}
