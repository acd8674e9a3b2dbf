// A real WebSocket server on loopback that plays the console's side of the agent protocol,
// scripted per batch. A stand-in, named as such: it lets tests drive answers the real console
// does not give on demand (ingest_paused, a lost ack, out_of_order, a 4011 close), and plays the
// console's side of actions (sends `action`, acks `action_result` or not) for agent tests.
import { WebSocketServer, type WebSocket } from 'ws';
import type { ConsoleMessage } from '../../shared/protocol.js';

export interface ReceivedFrame {
  connection: number;
  type: string;
  seq?: number;
  raw: Record<string, unknown>;
}

/** What the fake console does with a metrics/events batch. */
export type BatchAnswer =
  { ack: true; error?: { code: string; message: string } } | { pause: number } | { drop: true };

export interface FakeConsole {
  url: string;
  frames: ReceivedFrame[];
  /** Seqs of metrics/events frames, in arrival order. */
  batchSeqs(): number[];
  heartbeats(): number;
  /** Connections whose hello was answered with `welcome` (count). */
  welcomes(): number;
  /** Close the newest connection with this code. */
  closeCurrent(code: number, reason: string): void;
  /** Send a frame on the newest connection (an `action`, an `action_ack`). */
  send(msg: ConsoleMessage): void;
  /** `action_result` frames received, in order (resends included). */
  actionResults(): Record<string, unknown>[];
  stop(): Promise<void>;
}

export async function startFakeConsole(opts: {
  /** Default: ack every batch. */
  answer?: (seq: number, timesSeen: number) => BatchAnswer;
  /** Whether to answer an `action_result` with `action_ack`; default: always. */
  ackActionResult?: (result: Record<string, unknown>) => boolean;
  /** Close code for a hello instead of welcome (e.g. 4011), per connection number (1-based). */
  refuseHello?: (connection: number) => { code: number; reason: string } | null;
  heartbeatIntervalMs?: number;
}): Promise<FakeConsole> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  const frames: ReceivedFrame[] = [];
  const seen = new Map<number, number>();
  const sockets: WebSocket[] = [];
  let connections = 0;
  let welcomes = 0;
  wss.on('connection', (ws) => {
    const connection = ++connections;
    sockets.push(ws);
    const send = (msg: ConsoleMessage) => ws.send(JSON.stringify(msg));
    ws.on('message', (data) => {
      const raw = JSON.parse(String(data)) as Record<string, unknown>;
      const type = String(raw.type);
      const seq = typeof raw.seq === 'number' ? raw.seq : undefined;
      frames.push({ connection, type, raw, ...(seq !== undefined ? { seq } : {}) });
      if (type === 'hello') {
        const refusal = opts.refuseHello?.(connection);
        if (refusal) return ws.close(refusal.code, refusal.reason);
        welcomes++;
        return send({
          type: 'welcome',
          protocol: 1,
          agentId: 'agt-fake-1',
          heartbeatIntervalMs: opts.heartbeatIntervalMs ?? 1_000,
          serverTime: Date.now(),
        });
      }
      if (type === 'action_result') {
        if (opts.ackActionResult?.(raw) ?? true) send({ type: 'action_ack', id: String(raw.id) });
        return;
      }
      if (seq === undefined) return;
      const times = (seen.get(seq) ?? 0) + 1;
      seen.set(seq, times);
      const answer = opts.answer?.(seq, times) ?? { ack: true };
      if ('pause' in answer) {
        return send({
          type: 'error',
          code: 'ingest_paused',
          message: 'the console cannot store data now',
          seq,
          retryAfterMs: answer.pause,
        });
      }
      if ('drop' in answer) return;
      if (answer.error) send({ type: 'error', ...answer.error, seq });
      send({ type: 'ack', seq });
    });
  });
  const port = (wss.address() as { port: number }).port;
  return {
    url: `ws://127.0.0.1:${port}`,
    frames,
    batchSeqs: () =>
      frames.filter((f) => f.type === 'metrics' || f.type === 'events').map((f) => f.seq!),
    heartbeats: () => frames.filter((f) => f.type === 'heartbeat').length,
    welcomes: () => welcomes,
    closeCurrent: (code, reason) => sockets.at(-1)?.close(code, reason),
    send: (msg) => sockets.at(-1)?.send(JSON.stringify(msg)),
    actionResults: () => frames.filter((f) => f.type === 'action_result').map((f) => f.raw),
    stop: () =>
      new Promise<void>((resolve) => {
        for (const ws of wss.clients) ws.terminate();
        wss.close(() => resolve());
      }),
  };
}
