// The rules (GET /api/v1/rules), loaded on opening and after every change made here. Firing
// counts come from the stream's open alerts, so they follow the fleet live.
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { Rule } from '../../../../shared/rules';
import { useFleet, useServices } from '../../api/context';

export interface RuleCounts {
  firing: number;
  pending: number;
}

export function useRules() {
  const { api } = useServices();
  const [rules, setRules] = useState<Rule[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reload = useCallback(async () => {
    try {
      setRules((await api.get('GET /api/v1/rules')).rules);
      setError(null);
    } catch (err) {
      setError((err as Error).message);
    }
  }, [api]);
  useEffect(() => void reload(), [reload]);
  const alerts = useFleet((s) => s.alerts);
  const counts = useMemo(() => {
    const out = new Map<string, RuleCounts>();
    for (const a of alerts.values()) {
      if (a.state === 'resolved') continue;
      const c = out.get(a.ruleId) ?? { firing: 0, pending: 0 };
      if (a.state === 'pending') c.pending++;
      else c.firing++;
      out.set(a.ruleId, c);
    }
    return out;
  }, [alerts]);
  return { rules, error, reload, counts };
}
