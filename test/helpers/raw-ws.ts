// A WebSocket client written on a bare TCP socket, for tests that need control `ws` does not
// give: several frames in ONE write (so the console reads them in one chunk), binary frames,
// and a chosen source address. Frames follow RFC 6455: client frames are masked.
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

const OP_TEXT = 0x1;
const OP_BINARY = 0x2;
const OP_CLOSE = 0x8;
const OP_PING = 0x9;
const OP_PONG = 0xa;

/** One masked client frame. */
export function clientFrame(opcode: number, payload: Buffer): Buffer {
  const mask = randomBytes(4);
  const len = payload.length;
  const head =
    len < 126
      ? Buffer.from([0x80 | opcode, 0x80 | len])
      : len < 65536
        ? Buffer.from([0x80 | opcode, 0x80 | 126, len >> 8, len & 0xff])
        : Buffer.concat([Buffer.from([0x80 | opcode, 0x80 | 127]), u64(len)]);
  const body = Buffer.alloc(len);
  for (let i = 0; i < len; i++) body[i] = payload[i]! ^ mask[i % 4]!;
  return Buffer.concat([head, mask, body]);
}

function u64(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  return b;
}

export const textFrame = (msg: unknown): Buffer =>
  clientFrame(OP_TEXT, Buffer.from(typeof msg === 'string' ? msg : JSON.stringify(msg)));
export const binaryFrame = (bytes: number[]): Buffer => clientFrame(OP_BINARY, Buffer.from(bytes));

export interface RawWs {
  socket: Socket;
  /** Write these frames in one TCP write. */
  burst(frames: Buffer[]): void;
  /** Resolves with the next text message of this type. */
  next<T = Record<string, unknown>>(type: string): Promise<T>;
  /** Resolves with the console's close frame (code and reason), or code 1006 if the socket just ended. */
  closed: Promise<{ code: number; reason: string }>;
  destroy(): void;
}

/** Open the ingest WebSocket by hand: upgrade with the token, then parse server frames. */
export async function rawIngest(
  url: string,
  token: string,
  opts: { localAddress?: string } = {},
): Promise<RawWs> {
  const { hostname, port } = new URL(url);
  const socket = connect({ host: hostname, port: Number(port), ...opts });
  socket.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.write(
    [
      'GET / HTTP/1.1',
      `Host: ${hostname}:${port}`,
      'Upgrade: websocket',
      'Connection: Upgrade',
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
      'Sec-WebSocket-Version: 13',
      `Authorization: Bearer ${token}`,
      '',
      '',
    ].join('\r\n'),
  );
  let buf = Buffer.alloc(0);
  let upgraded = false;
  const inbox: Record<string, unknown>[] = [];
  const waiters: { type: string; resolve: (m: never) => void }[] = [];
  let closeFrame: { code: number; reason: string } | null = null;
  let resolveClosed!: (c: { code: number; reason: string }) => void;
  const closed = new Promise<{ code: number; reason: string }>((r) => (resolveClosed = r));
  const upgradedOk = new Promise<void>((resolve, reject) => {
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (!upgraded) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buf.subarray(0, end).toString();
        buf = buf.subarray(end + 4);
        if (!head.startsWith('HTTP/1.1 101')) return reject(new Error(head.split('\r\n')[0]));
        upgraded = true;
        resolve();
      }
      for (;;) {
        const frame = readFrame(buf);
        if (!frame) break;
        buf = buf.subarray(frame.size);
        if (frame.opcode === OP_TEXT) {
          const msg = JSON.parse(frame.payload.toString()) as Record<string, unknown>;
          const i = waiters.findIndex((w) => w.type === msg.type);
          if (i >= 0) waiters.splice(i, 1)[0]!.resolve(msg as never);
          else inbox.push(msg);
        } else if (frame.opcode === OP_CLOSE) {
          closeFrame = {
            code: frame.payload.length >= 2 ? frame.payload.readUInt16BE(0) : 1005,
            reason: frame.payload.subarray(2).toString(),
          };
          socket.end(clientFrame(OP_CLOSE, frame.payload.subarray(0, 2)));
        } else if (frame.opcode === OP_PING) {
          socket.write(clientFrame(OP_PONG, frame.payload));
        }
      }
    });
    socket.on('close', () => {
      resolveClosed(closeFrame ?? { code: 1006, reason: '' });
      reject(new Error('socket closed before the upgrade'));
    });
  });
  await upgradedOk;
  return {
    socket,
    burst: (frames) => socket.write(Buffer.concat(frames)),
    next: <T>(type: string) => {
      const i = inbox.findIndex((m) => m.type === type);
      if (i >= 0) return Promise.resolve(inbox.splice(i, 1)[0] as T);
      return new Promise<T>((resolve) =>
        waiters.push({ type, resolve: resolve as (m: never) => void }),
      );
    },
    closed,
    destroy: () => socket.destroy(),
  };
}

/** A server frame (unmasked) at the start of buf, or null if it is not complete yet. */
function readFrame(buf: Buffer): { opcode: number; payload: Buffer; size: number } | null {
  if (buf.length < 2) return null;
  const opcode = buf[0]! & 0x0f;
  let len = buf[1]! & 0x7f;
  let offset = 2;
  if (len === 126) {
    if (buf.length < 4) return null;
    len = buf.readUInt16BE(2);
    offset = 4;
  } else if (len === 127) {
    if (buf.length < 10) return null;
    len = Number(buf.readBigUInt64BE(2));
    offset = 10;
  }
  if (buf.length < offset + len) return null;
  return { opcode, payload: buf.subarray(offset, offset + len), size: offset + len };
}
