// The recovery service's figures on /metrics.
import { Counter, Histogram, type Registry } from 'prom-client';

export function createRecoveryMetrics(registry: Registry) {
  return {
    runs: new Counter({
      name: 'meridian_recovery_runs_total',
      help: 'Recovery runs that ended, by outcome (succeeded, failed, interrupted, refused, declined, cancelled, dry_run).',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    guardrails: new Counter({
      name: 'meridian_recovery_guardrail_total',
      help: 'Recovery runs stopped (refuse), held for approval (hold) or deferred (defer), by guardrail.',
      labelNames: ['guardrail', 'decision'],
      registers: [registry],
    }),
    dispatchSeconds: new Histogram({
      name: 'meridian_recovery_dispatch_seconds',
      help: 'From a run being proposed (its alert firing) to its first action sent, for runs that did not wait for approval.',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 5, 30, 120],
      registers: [registry],
    }),
    mttrSeconds: new Histogram({
      name: 'meridian_recovery_mttr_seconds',
      help: 'Time to recover (incident opened to resolved) of incidents a recovery run acted on, by whether the recovery was automatic.',
      labelNames: ['automatic'],
      buckets: [5, 15, 30, 60, 120, 300, 600, 1800, 3600, 14400],
      registers: [registry],
    }),
    results: new Counter({
      name: 'meridian_action_results_total',
      help: 'action_result messages recorded, by status.',
      labelNames: ['status'],
      registers: [registry],
    }),
    resultsRejected: new Counter({
      name: 'meridian_action_results_rejected_total',
      help: 'action_result messages not recorded (acked all the same), by reason: unknown_action_id, wrong_agent, action_mismatch, duplicate.',
      labelNames: ['reason'],
      registers: [registry],
    }),
  };
}

export type RecoveryMetrics = ReturnType<typeof createRecoveryMetrics>;
