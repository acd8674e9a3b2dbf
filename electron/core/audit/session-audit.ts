// Sign-in to the console, as the audit trail sees it: the session token is checked on every
// request, but only a client's first use of it in this launch is a sign-in worth a record.
// A client is told apart by its User-Agent (the session token is one per launch and shared by
// every window and script that holds it). Bounded: past `maxClients` distinct clients, later
// new ones are not recorded (a script varying its User-Agent must not grow memory).
import type { IncomingMessage } from 'node:http';
import type { AuditLog } from './audit-log.js';

export class SessionAudit {
  private readonly seen = new Set<string>();

  constructor(
    private readonly audit: Pick<AuditLog, 'record'>,
    private readonly maxClients = 1_000,
  ) {}

  /** An authenticated request: resolves once a first use is durable (at once otherwise). */
  used(req: IncomingMessage, via: 'bearer' | 'query' | 'cookie'): Promise<unknown> {
    const client = (req.headers['user-agent'] ?? 'unknown').slice(0, 200);
    if (this.seen.has(client) || this.seen.size >= this.maxClients) return Promise.resolve();
    this.seen.add(client);
    return this.audit
      .record({
        by: 'operator',
        action: 'session.signin',
        target: 'session',
        details: { client, via },
      })
      .catch(() => {
        // Not recorded: let the next request from this client try again.
        this.seen.delete(client);
      });
  }
}
