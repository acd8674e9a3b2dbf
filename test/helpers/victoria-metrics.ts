// A real VictoriaMetrics for the remote-write tests: the bench's runner (bench/victoria-metrics.ts).
export * from '../../bench/victoria-metrics.js';
