// How the uplink hands `action` / `action_ack` to whatever answers them (the host agent's
// ActionRunner, the simulator's simulated actions), and takes back results to send. Kept
// apart so agent/uplink.ts stays a connection manager.
import type { ActionResultMessage } from '../../shared/protocol.js';

export interface ActionEndpoint {
  /** Advertised in hello as `capabilities.actions`. */
  readonly actionNames: readonly string[];
  /** The uplink's way to send a result now; false when not connected (resent after welcome). */
  attach(send: (result: ActionResultMessage) => boolean): void;
  /** An `action` frame as received: not yet validated. */
  onAction(msg: Record<string, unknown>): void;
  onActionAck(id: unknown): void;
  /** After each `welcome`: resend unacked results; `serverTime` is the console's clock. */
  onWelcome(serverTime: number): void;
}
