// One relay's connection to the console: `relay_hello` first, then registrations, status and
// compressed batches. Frames are taken in order (a batch waits for the registrations sent
// before it); each batch is acked once every entry in it is durable. A bad frame closes the
// link with the agents' close codes (protocol-codes.ts) or the relay link's own.
import type { WebSocket } from 'ws';
import { CLOSE } from '../../../../shared/protocol.js';
import {
  RELAY_CLOSE,
  type ConsoleToRelayMessage,
  type RelayBatch,
  type RelayHello,
  type RelayTextMessage,
} from '../../../../shared/relay-protocol.js';
import { closeReason, type CloseSpec } from '../../ingest/frames.js';
import type { IngestAuth } from '../../ingest/ingest-auth.js';
import { RelayFrameError, inflateRelayFrame } from '../codec.js';
import { parseRelayBatch, parseRelayText } from '../relay-frames.js';

/** What the session asks of the hub. */
export interface RelaySessionHandler {
  hello(session: RelaySession, hello: RelayHello): Promise<void>;
  text(session: RelaySession, msg: Exclude<RelayTextMessage, RelayHello>): void;
  batch(session: RelaySession, batch: RelayBatch, wireBytes: number): void;
  /** `code`: the close code the relay sent (1001: it is stopping), or 1006 (no close frame). */
  closed(session: RelaySession, how: 'cut_off' | 'down', code: number): void;
  rejected(reason: string): void;
}

type Spec = CloseSpec | (typeof RELAY_CLOSE)[keyof typeof RELAY_CLOSE];

export class RelaySession {
  relayId: string | null = null;
  keyId: string | null;
  /** Its hello said it routes recovery actions (`relay_action`): only then is it sent one. */
  actions = false;
  alive = true;
  private closing = false;
  /** We cut it for silence (unanswered pings): the link went quiet, not closed by the relay. */
  private silent = false;
  /** Frames are handled one after another, in arrival order. */
  private chain: Promise<void> = Promise.resolve();
  /** Registrations sent so far are durable once this resolves: acks wait for it. */
  registered: Promise<void> = Promise.resolve();

  constructor(
    private readonly ws: WebSocket,
    readonly address: string,
    readonly auth: IngestAuth,
    private readonly handler: RelaySessionHandler,
    private readonly maxSendBufferBytes: number,
  ) {
    this.keyId = auth.kind === 'key' ? auth.keyId : null;
    ws.on('message', (data, isBinary) => {
      if (this.closing) return;
      const frame = data as Buffer;
      this.chain = this.chain
        .then(() => (this.closing ? undefined : this.onFrame(frame, isBinary)))
        .catch((err: Error) => this.close(CLOSE.schema, err.message));
    });
    ws.on('pong', () => (this.alive = true));
    ws.on('close', (code) => {
      // The link is gone: a hello still being handled (its key being written) must not
      // register the relay as connected afterwards, with no link and no one to notice.
      this.closing = true;
      if (this.relayId) this.handler.closed(this, this.silent ? 'cut_off' : 'down', code);
    });
    ws.on('error', (err) => {
      // ws reports a frame over MAX_RELAY_FRAME_BYTES as an error and closes with 1009.
      if (this.closing) return;
      if ((err as { code?: string }).code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
        this.closing = true;
        this.handler.rejected(CLOSE.tooBig.reason);
      }
    });
  }

  private async onFrame(data: Buffer, isBinary: boolean): Promise<void> {
    if (isBinary) {
      if (!this.relayId) return this.close(CLOSE.helloFirst, 'relay_batch before relay_hello');
      let text: string;
      try {
        text = inflateRelayFrame(data);
      } catch (err) {
        if (err instanceof RelayFrameError)
          return this.close(RELAY_CLOSE.badCompression, err.message);
        throw err;
      }
      const parsed = parseRelayBatch(text);
      if (!parsed.ok) return this.close(CLOSE.schema, parsed.detail);
      return this.handler.batch(this, parsed.message, data.length);
    }
    const parsed = parseRelayText(data.toString('utf8'));
    if (!parsed.ok) return this.close(CLOSE.schema, parsed.detail);
    const msg = parsed.message;
    if (msg.type === 'relay_hello') {
      if (this.relayId) return this.close(CLOSE.duplicateHello, 'relay_hello was already sent');
      return this.handler.hello(this, msg);
    }
    if (!this.relayId) return this.close(CLOSE.helloFirst, `'${msg.type}' before relay_hello`);
    this.handler.text(this, msg);
  }

  send(msg: ConsoleToRelayMessage): void {
    if (this.closing || this.ws.readyState !== this.ws.OPEN) return;
    this.ws.send(JSON.stringify(msg));
    if (this.ws.bufferedAmount > this.maxSendBufferBytes) {
      this.close(CLOSE.slowConsumer, `send buffer over ${this.maxSendBufferBytes} bytes`);
      this.ws.terminate();
    }
  }

  /** Close for a refused frame (counted by the hub). */
  close(spec: Spec, detail: string): void {
    if (this.closing) return;
    this.closing = true;
    this.handler.rejected(spec.reason);
    this.ws.close(spec.code, closeReason(spec as CloseSpec, detail));
  }

  /** Close without counting (replaced, shutdown, revoked). */
  end(spec: Spec, detail: string): void {
    if (this.closing) return;
    this.closing = true;
    this.ws.close(spec.code, closeReason(spec as CloseSpec, detail));
  }

  get isClosing(): boolean {
    return this.closing;
  }

  /** A ping round: no pong since the last one means the link is silent. */
  ping(): void {
    if (!this.alive) {
      this.silent = true;
      this.closing = true;
      this.ws.terminate();
      return;
    }
    this.alive = false;
    this.ws.ping();
  }

  terminate(): void {
    this.closing = true;
    this.ws.terminate();
  }
}
