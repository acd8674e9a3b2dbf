// Prometheus remote-write 1.0 (`POST /api/v1/write`) and OTLP/HTTP metrics (`POST /v1/metrics`)
// on the ingest port. The ingest server has authenticated the request (the agent credential,
// as for a WebSocket hello) before it gets here. A request is decoded and checked whole before
// anything is stored, goes through the same pipeline as an agent's batch (admission, store +
// WAL, rules), and is answered 204 (OTLP: 200) only once its samples are durable: the
// equivalent of an agent's ack.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { PROTOCOL_VERSION, type HelloMessage } from '../../../shared/protocol.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { CoreMetrics } from '../metrics.js';
import type { IngestHandler } from '../ingest/session.js';
import { readBody, replyError } from './http-reply.js';
import { decodeOtlpJson, decodeOtlpProtobuf, type OtlpDecoded } from './otlp-metrics.js';
import type { RemoteWriteConfig } from './remote-write-config.js';
import { mapWriteRequest, samplesOf, type InstanceBatch, type Mapped } from './series-mapping.js';
import {
  BadWriteRequest,
  DEFAULT_WRITE_CAPS,
  decodeWriteRequest,
  type WriteRequestCaps,
  type WriteSeries,
} from './write-request.js';

export type WriteEndpoint = 'remote_write' | 'otlp';

export interface ReceiverDeps {
  clock: Clock;
  logger: Logger;
  metrics: CoreMetrics;
  handler: IngestHandler;
  /** Whether the registry still holds this agent (it may have been retired). */
  agentExists(agentId: string): boolean;
  /** A sign of life that lets the agent stay silent `silenceAllowedMs`. */
  alive(agentId: string, silenceAllowedMs: number): void;
}

/** Answer when a request is refused in a way a retry may fix. */
const RETRY_REGISTRY_FULL_S = 30;

class Refusal {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly message: string,
    readonly headers: Record<string, string> = {},
  ) {}
}

export class RemoteWriteReceiver {
  /** `<region>/<hostname>` → agent id, for the instances seen since start. */
  private readonly agentIds = new Map<string, string>();

  constructor(
    private readonly deps: ReceiverDeps,
    private readonly config: RemoteWriteConfig,
    private readonly caps: WriteRequestCaps = DEFAULT_WRITE_CAPS,
  ) {}

  /** The endpoint served at `path`, or null. */
  endpoint(path: string): WriteEndpoint | null {
    if (path === '/api/v1/write') return 'remote_write';
    return path === '/v1/metrics' ? 'otlp' : null;
  }

  /** Serve an authenticated request; never throws. */
  serve(req: IncomingMessage, res: ServerResponse, endpoint: WriteEndpoint, source: string): void {
    const handled =
      endpoint === 'otlp' ? this.handleOtlp(req, res, source) : this.handle(req, res, source);
    handled.then(
      () => this.count(endpoint, 'ok'),
      (err: unknown) => {
        if (err instanceof Refusal) {
          this.count(endpoint, err.code);
          replyError(res, err.status, err.code, err.message, err.headers);
          if (err.status === 413) res.once('finish', () => req.socket.destroy());
          return;
        }
        this.count(endpoint, 'internal');
        this.deps.logger.warn('remote-write request failed', { error: (err as Error).message });
        replyError(res, 500, 'internal', 'the request could not be handled');
      },
    );
  }

  private count(endpoint: WriteEndpoint, outcome: string): void {
    this.deps.metrics.remoteWrite.requests.inc({ endpoint, outcome });
  }

  private async handle(req: IncomingMessage, res: ServerResponse, source: string): Promise<void> {
    if (req.method !== 'POST')
      throw new Refusal(405, 'method_not_allowed', 'remote write takes POST only', {
        Allow: 'POST',
      });
    const encoding = (req.headers['content-encoding'] ?? '').toLowerCase();
    if (encoding !== 'snappy')
      throw new Refusal(
        415,
        'unsupported_encoding',
        `Content-Encoding must be snappy (remote write 1.0), not '${encoding}'`,
      );
    const type = req.headers['content-type'] ?? '';
    // Remote write 2.0 names its message in the type: 415 makes such senders fall back to 1.0.
    if (
      !/^application\/x-protobuf\s*(;|$)/i.test(type) ||
      /proto=io\.prometheus\.write\.v2/.test(type)
    )
      throw new Refusal(
        415,
        'unsupported_content_type',
        `Content-Type must be application/x-protobuf (remote write 1.0), not '${type}'`,
      );
    const body = await readBody(req, this.config.maxBodyBytes);
    if (body === null)
      throw new Refusal(
        413,
        'body_too_large',
        `the body is over ${this.config.maxBodyBytes} bytes`,
      );
    // A paused console does not spend CPU decoding what it will not take.
    this.admit();
    await this.accept(body, source);
    res.writeHead(204);
    res.end();
  }

  /**
   * Decode, map and hand a remote-write body to the pipeline, all before returning: the
   * promise is its durability. Nothing decoded is held while the WAL write is waited for, so
   * a request's samples die young instead of being promoted to the old generation.
   */
  private accept(body: Buffer, source: string): Promise<void> {
    let series: WriteSeries[];
    try {
      series = decodeWriteRequest(body, this.caps).timeseries;
    } catch (err) {
      if (err instanceof BadWriteRequest) throw new Refusal(400, err.code, err.message);
      throw err;
    }
    const mapped = mapWriteRequest(series, this.config);
    if (!mapped.ok) throw new Refusal(400, mapped.code, mapped.message);
    return this.store(mapped, source);
  }

  /** OTLP/HTTP metrics: protobuf or JSON, plain or gzip; the same mapping and pipeline. */
  private async handleOtlp(
    req: IncomingMessage,
    res: ServerResponse,
    source: string,
  ): Promise<void> {
    if (req.method !== 'POST')
      throw new Refusal(405, 'method_not_allowed', 'OTLP takes POST only', { Allow: 'POST' });
    const type = (req.headers['content-type'] ?? '').toLowerCase();
    const json = /^application\/json\s*(;|$)/.test(type);
    if (!json && !/^application\/x-protobuf\s*(;|$)/.test(type))
      throw new Refusal(
        415,
        'unsupported_content_type',
        `Content-Type must be application/x-protobuf or application/json, not '${type}'`,
      );
    const encoding = (req.headers['content-encoding'] ?? '').toLowerCase();
    if (encoding !== '' && encoding !== 'identity' && encoding !== 'gzip')
      throw new Refusal(
        415,
        'unsupported_encoding',
        `Content-Encoding '${encoding}' is not taken (gzip is)`,
      );
    const body = await readBody(req, this.config.maxBodyBytes);
    if (body === null)
      throw new Refusal(
        413,
        'body_too_large',
        `the body is over ${this.config.maxBodyBytes} bytes`,
      );
    this.admit();
    let raw: Buffer = body;
    if (encoding === 'gzip') {
      try {
        raw = gunzipSync(body, { maxOutputLength: this.caps.maxDecodedBytes });
      } catch (err) {
        const tooBig = (err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE';
        throw new Refusal(400, tooBig ? 'too_large' : 'bad_gzip', (err as Error).message);
      }
    }
    let decoded: OtlpDecoded;
    try {
      decoded = json
        ? decodeOtlpJson(raw.toString('utf8'), this.config.regionLabel, this.caps)
        : decodeOtlpProtobuf(raw, this.config.regionLabel, this.caps);
    } catch (err) {
      if (err instanceof BadWriteRequest) throw new Refusal(400, err.code, err.message);
      throw err;
    }
    const mapped = mapWriteRequest(decoded.series, this.config);
    if (!mapped.ok) throw new Refusal(400, mapped.code, mapped.message);
    if (decoded.unsupported > 0)
      this.deps.metrics.remoteWrite.samplesSkipped.inc(
        { reason: 'unsupported_kind' },
        decoded.unsupported,
      );
    await this.store(mapped, source);
    // An empty ExportMetricsServiceResponse: all taken.
    const answer = json ? Buffer.from('{}') : Buffer.alloc(0);
    res.writeHead(200, {
      'Content-Type': json ? 'application/json' : 'application/x-protobuf',
      'Content-Length': answer.length,
    });
    res.end(answer);
  }

  private admit(): void {
    const admission = this.deps.handler.admission();
    if (admission.open) return;
    this.deps.metrics.batchesDeferred.inc({ reason: admission.reason });
    throw new Refusal(503, 'ingest_paused', `${admission.reason}: ${admission.message}`, {
      'Retry-After': String(Math.max(1, Math.ceil(admission.retryAfterMs / 1000))),
    });
  }

  /**
   * Register every instance first, then store: a refusal (thrown) leaves no sample stored.
   * The promise resolves once everything is durable.
   */
  private store(mapped: Extract<Mapped, { ok: true }>, source: string): Promise<void> {
    const { skipped } = mapped;
    for (const reason of ['stale_marker', 'non_finite', 'unrepresentable'] as const)
      if (skipped[reason] > 0)
        this.deps.metrics.remoteWrite.samplesSkipped.inc({ reason }, skipped[reason]);
    const batches = mapped.batches.filter((b) => b.count > 0);
    const waits: Promise<void>[] = [];
    const ids = batches.map((b) => this.agentFor(b, source, waits));
    this.admit();
    const arrivedAt = this.deps.clock.now();
    const arrivedMono = this.deps.clock.monotonic();
    batches.forEach((batch, i) => {
      const { durable } = this.deps.handler.metrics(
        ids[i]!,
        { type: 'metrics', seq: 0, samples: samplesOf(batch) },
        arrivedAt,
        arrivedMono,
      );
      waits.push(durable);
    });
    return Promise.all(waits).then(
      () => {},
      (err: unknown) => {
        // Not durable: the sender must keep the request and send it again (it retries on 5xx).
        throw new Refusal(503, 'write_failed', `the write failed: ${(err as Error).message}`, {
          'Retry-After': '1',
        });
      },
    );
  }

  /** The instance's agent, registered like an agent's hello the first time it writes. */
  private agentFor(batch: InstanceBatch, source: string, waits: Promise<void>[]): string {
    const known = this.agentIds.get(batch.key);
    if (known !== undefined && this.deps.agentExists(known)) {
      this.deps.alive(known, this.config.offlineAfterMs);
      return known;
    }
    const hello: HelloMessage = {
      type: 'hello',
      protocol: PROTOCOL_VERSION,
      hostname: batch.hostname,
      region: batch.region,
      agentType: 'application',
      version: 'remote-write',
      labels: batch.instance
        ? { source: 'remote_write', instance: batch.instance }
        : { source: 'remote_write' },
    };
    const result = this.deps.handler.hello(hello, source);
    if (!result.ok) {
      if (result.reason === 'agent_limit')
        throw new Refusal(503, 'agent_limit', result.message, {
          'Retry-After': String(RETRY_REGISTRY_FULL_S),
        });
      throw new Refusal(400, 'unknown_region', result.message);
    }
    this.agentIds.set(batch.key, result.agent.id);
    this.deps.alive(result.agent.id, this.config.offlineAfterMs);
    waits.push(result.durable);
    return result.agent.id;
  }
}
