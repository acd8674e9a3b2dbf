// The forecast engine's public surface. In-thread: forecastSeries (tests, CLI, one series on
// request). Off-thread: ForecastRunner (scheduled runs over many series).
export { forecastSeries, validateOptions } from './forecast.js';
export { ForecastRunner, type ForecastJob, type ForecastRunnerOptions } from './forecast-runner.js';
export { parseSeriesCsv, parseTimestamp, SeriesCsvError, type ParsedSeries } from './series-csv.js';
export { thresholdCrossing } from './threshold.js';
export { loadAugurs } from './augurs.js';
export * from './types.js';
