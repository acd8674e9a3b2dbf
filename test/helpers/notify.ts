// Incidents, real HTTP receivers and a real SMTP server for the notification tests.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { Registry } from 'prom-client';
import type { Incident, IncidentState, TimelineEntry } from '../../shared/incidents.js';
import type { Severity } from '../../shared/model.js';
import { CoreEvents, type CoreEventMap } from '../../electron/core/events.js';
import { counterIds } from '../../electron/core/ids.js';
import { silentLogger } from '../../electron/core/logger.js';
import type { Clock } from '../../electron/core/clock.js';
import { Notifier, type NotifierDeps } from '../../electron/core/notify/notifier.js';
import type { DesktopNotice } from '../../electron/core/notify/channel-desktop.js';

export function incident(over: Partial<Incident> = {}): Incident {
  return {
    id: 'inc-1',
    title: 'ap-northeast-1 lost 75 % of its agents',
    severity: 'critical',
    state: 'open',
    grouping: 'region_cause',
    regionId: 'ap-northeast-1',
    agentId: null,
    causeAlertId: 'alr-1',
    alerts: [
      {
        alertId: 'alr-1',
        ruleId: 'region_status',
        severity: 'critical',
        effect: false,
        joinedAt: 0,
      },
    ],
    owner: null,
    openedAt: 1_700_000_000_000,
    updatedAt: 1_700_000_000_000,
    acknowledgedAt: null,
    acknowledgedBy: null,
    resolvedAt: null,
    escalationStep: null,
    nextEscalationAt: null,
    flapping: false,
    suppressedBy: null,
    timeline: [],
    ...over,
  };
}

/** `n` more alerts (agents' offline effects) joined to an incident. */
export function withAlerts(i: Incident, n: number): Incident {
  const extra = Array.from({ length: n }, (_, k) => ({
    alertId: `alr-x${i.alerts.length + k}`,
    ruleId: 'agent_offline',
    severity: 'critical' as Severity,
    effect: true,
    joinedAt: i.openedAt,
  }));
  return { ...i, alerts: [...i.alerts, ...extra] };
}

/** A notifier on a bare event bus, with what it wrote back kept for assertions. */
export interface NotifyRig {
  notifier: Notifier;
  events: CoreEvents;
  timeline: Map<string, TimelineEntry[]>;
  escalation: Map<string, { step: number | null; nextAt: number | null }>;
  /** The channels the next step will notify, as last told (escalation's `nextTo`). */
  escalationTo: Map<string, readonly string[] | undefined>;
  consoleAlerts: { raised: { ruleId: string; key: string; message: string }[]; cleared: string[] };
  desktop: DesktopNotice[];
  registry: Registry;
  emit(
    i: Incident,
    reason: CoreEventMap['incident.changed']['reason'],
    prev?: { state?: IncidentState | null; severity?: Severity | null },
  ): void;
}

export async function notifyRig(
  clock: Clock,
  over: Partial<NotifierDeps> = {},
): Promise<NotifyRig> {
  const events = new CoreEvents();
  const registry = new Registry();
  const timeline = new Map<string, TimelineEntry[]>();
  const escalation = new Map<string, { step: number | null; nextAt: number | null }>();
  const escalationTo = new Map<string, readonly string[] | undefined>();
  const consoleAlerts: NotifyRig['consoleAlerts'] = { raised: [], cleared: [] };
  const notifier = new Notifier({
    clock,
    ids: counterIds(),
    logger: silentLogger,
    events,
    dataDir: null,
    registry,
    consoleAlerts: {
      raise: (ruleId, key, _sev, message) => consoleAlerts.raised.push({ ruleId, key, message }),
      clear: (_ruleId, key) => consoleAlerts.cleared.push(key),
    },
    recordTimeline: (id, e) => timeline.set(id, [...(timeline.get(id) ?? []), e]),
    setEscalation: (id, step, nextAt, to) => {
      escalation.set(id, { step, nextAt });
      escalationTo.set(id, to);
    },
    ...over,
    // Pages at once unless a test asks for the group wait (test/unit/notify-group-wait.test.ts):
    // these tests script the pipeline after it.
    options: { groupWaitMs: 0, ...over.options },
  });
  await notifier.start();
  const desktop: DesktopNotice[] = [];
  notifier.desktop.on((n) => desktop.push(n));
  return {
    notifier,
    events,
    timeline,
    escalation,
    escalationTo,
    consoleAlerts,
    desktop,
    registry,
    emit: (i, reason, prev = {}) =>
      events.emit('incident.changed', {
        incident: i,
        previousState: prev.state ?? null,
        previousSeverity: prev.severity ?? null,
        reason,
      }),
  };
}

export interface ReceivedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  json: unknown;
}

/** A real HTTP receiver on 127.0.0.1; `status` decides what it answers (default 200). */
export interface Receiver {
  url: string;
  received: ReceivedRequest[];
  status: (req: ReceivedRequest, n: number) => number;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const received: ReceivedRequest[] = [];
  const r: Receiver = { url: '', received, status: () => 200, close: async () => {} };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown = null;
      try {
        json = JSON.parse(body);
      } catch {
        // kept as text
      }
      const got = { path: req.url ?? '/', headers: req.headers, body, json };
      received.push(got);
      res.statusCode = r.status(got, received.length);
      res.end(res.statusCode >= 400 ? 'receiver says no' : 'ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  r.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  r.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return r;
}

export interface MailReceived {
  from: string;
  to: string[];
  raw: string;
  subject: string;
}

/** A real SMTP server (smtp-server) on a loopback ephemeral port, plain, no auth needed. */
export async function startSmtp(
  opts: { reject?: (n: number) => { code: number; message: string } | null } = {},
): Promise<{ port: number; mails: MailReceived[]; close(): Promise<void> }> {
  const mails: MailReceived[] = [];
  let n = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    disableReverseLookup: true,
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const verdict = opts.reject?.(++n) ?? null;
        if (verdict) {
          const err = Object.assign(new Error(verdict.message), { responseCode: verdict.code });
          return callback(err);
        }
        const raw = Buffer.concat(chunks).toString('utf8');
        const subject =
          /^Subject: (.*(?:\r\n[ \t].*)*)/m.exec(raw)?.[1]?.replace(/\r\n[ \t]/g, ' ') ?? '';
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((a) => a.address),
          raw,
          subject,
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    mails,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
