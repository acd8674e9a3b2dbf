// What an operator action on alerts came to (apart from the action, so the resolve hold and its
// tests need not load the HTTP client).
import type { Alert } from '../../../shared/model.js';

export interface ActionOutcome {
  done: Alert[];
  failed: { id: string; message: string }[];
}
