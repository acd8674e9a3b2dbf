// The core's one call: build the notifier from what the core already has.
import { Notifier, type NotifierDeps } from './notifier.js';

export type { NotifierDeps } from './notifier.js';
export { Notifier } from './notifier.js';

export function createNotifier(deps: NotifierDeps): Notifier {
  return new Notifier(deps);
}
