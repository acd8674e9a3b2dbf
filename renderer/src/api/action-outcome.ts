// What an operator action on alerts came to (apart from the action, so the resolve hold and its
// tests need not load the HTTP client).
import type { Alert } from '../../../shared/model.js';

export interface ActionOutcome {
  done: Alert[];
  failed: { id: string; message: string }[];
  /**
   * Resolves the core turned into a silence, because the alert's condition still held: the
   * alert is resolved and comes back if the condition outlasts the silence.
   */
  silenced?: { alertId: string; silenceId: string; endsAt: number }[];
}
