// The rules in force, changed from the console or the API: checked whole (never saved
// half-valid), put in force at once (evaluator, forecasts, anomaly detection), written to
// state.json and to the audit log before the change is reported done.
import type { RuleStatus } from '../../../shared/api.js';
import type { Rule } from '../../../shared/rules.js';
import type { AlertBook } from '../incidents/alert-book.js';
import type { AuditLog } from '../audit/audit-log.js';
import { checkRule, type FieldError } from './validate-rule.js';

export class RuleValidationError extends Error {
  constructor(readonly errors: FieldError[]) {
    const first = errors[0];
    super(first ? `${first.field ? `field '${first.field}': ` : ''}${first.message}` : 'invalid');
  }
}

export class RuleConflictError extends Error {}
export class RuleNotFoundError extends Error {
  constructor(id: string) {
    super(`no rule ${id}`);
  }
}

export interface RuleBookDeps {
  alerts: AlertBook;
  audit: AuditLog;
  /** Put the rules in force: the evaluator, forecasts and anomaly detection. */
  apply(rules: readonly Rule[]): void;
  /** Resolves once state.json holds the rules as they are now. */
  persist(): Promise<void>;
  /** Ids the console's own alerts use: not for rules. */
  reserved: ReadonlySet<string>;
}

/** What makes an open alert belong to a rule: change it and the alert no longer fits. */
const identity = (r: Rule) =>
  JSON.stringify([
    r.kind,
    'metric' in r ? r.metric : null,
    'metrics' in r ? r.metrics : null,
    'matchers' in r ? (r.matchers ?? null) : null,
  ]);

export class RuleBook {
  private rules: Rule[];

  constructor(
    initial: readonly Rule[],
    private readonly deps: RuleBookDeps,
  ) {
    this.rules = [...initial];
  }

  /** The rules state.json held (no audit: nothing changed). */
  load(rules: readonly Rule[]): void {
    this.rules = [...rules];
  }

  list(): readonly Rule[] {
    return this.rules;
  }

  get(id: string): Rule | undefined {
    return this.rules.find((r) => r.id === id);
  }

  /** Open alerts of each rule: firing (or acknowledged) and pending (waiting out `for`). */
  status(): Record<string, RuleStatus> {
    const out: Record<string, RuleStatus> = {};
    for (const r of this.rules) out[r.id] = { firing: 0, pending: 0 };
    for (const a of this.deps.alerts.openAlerts()) {
      const s = out[a.ruleId];
      if (!s) continue;
      if (a.state === 'pending') s.pending++;
      else s.firing++;
    }
    return out;
  }

  /** Check a rule as create/replace would, without saving it. */
  check(value: unknown): Rule {
    const checked = checkRule(value);
    if (!('rule' in checked)) throw new RuleValidationError(checked.errors);
    return checked.rule;
  }

  async create(value: unknown, by: string): Promise<Rule> {
    const rule = this.check(value);
    if (this.deps.reserved.has(rule.id))
      throw new RuleConflictError(`rule id ${rule.id} is the console's own; choose another`);
    if (this.get(rule.id)) throw new RuleConflictError(`a rule ${rule.id} exists already`);
    this.rules = [...this.rules, rule];
    return this.commit(by, 'rule.create', rule.id, null, rule);
  }

  async replace(id: string, value: unknown, by: string): Promise<Rule> {
    const before = this.get(id);
    if (!before) throw new RuleNotFoundError(id);
    const withId =
      typeof value === 'object' && value !== null && !('id' in value) ? { ...value, id } : value;
    const rule = this.check(withId);
    if (rule.id !== id)
      throw new RuleValidationError([
        {
          field: 'id',
          message: `must be ${id}: to rename, duplicate the rule and delete this one`,
        },
      ]);
    if (before.enabled && !rule.enabled) this.resolveAlerts(id, 'rule disabled');
    else if (identity(before) !== identity(rule)) this.resolveAlerts(id, 'rule changed');
    this.rules = this.rules.map((r) => (r.id === id ? rule : r));
    return this.commit(by, 'rule.update', id, before, rule);
  }

  async remove(id: string, by: string): Promise<Rule> {
    const before = this.get(id);
    if (!before) throw new RuleNotFoundError(id);
    this.resolveAlerts(id, 'rule removed');
    this.rules = this.rules.filter((r) => r.id !== id);
    await this.commit(by, 'rule.delete', id, before, null);
    return before;
  }

  private async commit(
    by: string,
    action: string,
    target: string,
    before: Rule | null,
    after: Rule | null,
  ): Promise<Rule> {
    this.deps.apply(this.rules);
    await Promise.all([
      this.deps.persist(),
      this.deps.audit.record({ by, action, target, before, after }),
    ]);
    return (after ?? before)!;
  }

  private resolveAlerts(ruleId: string, why: string): void {
    for (const a of this.deps.alerts.openAlerts())
      if (a.ruleId === ruleId) this.deps.alerts.resolve(a.id, 'rule', why);
  }
}
