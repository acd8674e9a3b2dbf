// `meridian relay` as a real process (the compiled CLI), and probe agents: real WebSocket
// agents that send one numbered sample per batch and remember which batches were acked, so a
// test can check that every acked sample reached the console exactly once.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import WebSocket from 'ws';
import { packageRoot } from '../../electron/core/version.js';

export interface RelayProcess {
  child: ChildProcess;
  ingestUrl: string;
  port: number;
  out(): string;
  /** The exit code once it has exited (null: killed by a signal). */
  exited: Promise<number | null>;
  kill9(): Promise<void>;
  stop(): Promise<void>;
}

export interface RelayArgs {
  upstream: string;
  token: string;
  region: string;
  name: string;
  stateDir: string;
  agentToken: string;
  listenPort?: number;
}

export async function spawnRelay(a: RelayArgs, timeoutMs = 30_000): Promise<RelayProcess> {
  const bin = join(packageRoot(), 'bin', 'meridian.js');
  const child = spawn(
    process.execPath,
    [
      bin,
      'relay',
      ...['--upstream', a.upstream, '--token', a.token, '--region', a.region],
      ...['--name', a.name, '--state-dir', a.stateDir, '--agent-token', a.agentToken],
      ...['--listen-port', String(a.listenPort ?? 0), '--ingest-tls', 'off'],
      ...['--log-format', 'json'],
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  const started = performance.now();
  while (!/ingest\s+ws:\/\/\S+/.test(out)) {
    if (child.exitCode !== null) throw new Error(`meridian relay exited ${child.exitCode}: ${out}`);
    if (performance.now() - started > timeoutMs) throw new Error(`relay did not start: ${out}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  const ingestUrl = /ingest\s+(ws:\/\/\S+)/.exec(out)![1]!;
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return {
    child,
    ingestUrl,
    port: Number(new URL(ingestUrl).port),
    out: () => out,
    exited,
    kill9: () => end('SIGKILL'),
    stop: () => end('SIGTERM'),
  };
}

export const PROBE_METRIC = 'relay_probe';

/**
 * An agent sending a batch of one `relay_probe` sample every `everyMs`: batch n carries
 * ts = base + n × 1000 and value n. It reconnects after a close (new batches only: a batch
 * that was not acked is not resent, so "acked" is exactly what the relay promised to keep).
 */
export class ProbeAgent {
  readonly acked = new Set<number>();
  agentId: string | null = null;
  connected = false;
  private ws: WebSocket | null = null;
  private n = 0;
  private timer: NodeJS.Timeout | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private stopped = false;
  private sending = true;

  constructor(
    private url: string,
    private readonly token: string,
    readonly hostname: string,
    readonly region: string,
    readonly base: number,
    private readonly everyMs = 50,
  ) {}

  start(): void {
    this.connect();
  }

  /** Point at another address (the relay restarted elsewhere). */
  retarget(url: string): void {
    this.url = url;
  }

  /** Stop sending batches (heartbeats go on). */
  pause(): void {
    this.sending = false;
  }

  get sent(): number {
    return this.n;
  }

  private connect(): void {
    if (this.stopped) return;
    const ws = new WebSocket(this.url, { headers: { Authorization: `Bearer ${this.token}` } });
    this.ws = ws;
    ws.on('open', () => {
      ws.send(
        JSON.stringify({
          type: 'hello',
          protocol: 2,
          hostname: this.hostname,
          region: this.region,
          agentType: 'system',
          version: 'probe',
          ...(this.agentId ? { agentId: this.agentId } : {}),
        }),
      );
    });
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as { type: string; seq?: number; agentId?: string };
      if (msg.type === 'welcome') {
        this.agentId = msg.agentId!;
        this.connected = true;
        this.heartbeat = setInterval(() => ws.send('{"type":"heartbeat"}'), 500);
        this.timer = setInterval(() => this.sendBatch(ws), this.everyMs);
      } else if (msg.type === 'ack' && msg.seq !== undefined) this.acked.add(msg.seq);
    });
    ws.on('error', () => {});
    ws.on('close', () => {
      this.connected = false;
      if (this.timer) clearInterval(this.timer);
      if (this.heartbeat) clearInterval(this.heartbeat);
      if (!this.stopped) setTimeout(() => this.connect(), 200);
    });
  }

  private sendBatch(ws: WebSocket): void {
    if (!this.sending || ws.readyState !== ws.OPEN) return;
    const n = ++this.n;
    ws.send(
      JSON.stringify({
        type: 'metrics',
        seq: n,
        samples: [{ name: PROBE_METRIC, value: n, ts: this.base + n * 1000 }],
      }),
    );
  }

  /** Close for good (the relay then reports the agent offline). */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.ws?.close();
  }
}
