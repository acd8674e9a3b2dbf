// The event a listener opening or closing becomes (shared/security-events.ts names). Also what
// the simulator sends for its new-listening-port scenario, so both have one shape.
import type { AgentEvent } from '../../../shared/protocol.js';
import {
  SECURITY_CATEGORIES,
  SECURITY_FIELDS as F,
  SECURITY_SOURCES,
  type PortEventType,
} from '../../../shared/security-events.js';
import type { Listener } from './port-scanner.js';

export function portEvent(ts: number, type: PortEventType, l: Listener): AgentEvent {
  const a: Record<string, string | number> = {
    [F.eventType]: type,
    [F.port]: l.port,
    [F.proto]: l.proto,
    [F.bindAddress]: l.address,
  };
  if (l.process !== undefined) a[F.process] = l.process;
  if (l.pid !== undefined) a[F.pid] = l.pid;
  const who = l.process !== undefined ? `${l.process} (pid ${l.pid})` : 'process unknown';
  const where = l.address.includes(':') ? `[${l.address}]:${l.port}` : `${l.address}:${l.port}`;
  const what = type === 'port_open' ? 'now listening' : 'stopped listening';
  return {
    ts,
    category: SECURITY_CATEGORIES.ports,
    severity: 'info',
    source: SECURITY_SOURCES.ports,
    message: `${what} on ${l.proto} ${where}: ${who}`,
    attributes: a,
  };
}
