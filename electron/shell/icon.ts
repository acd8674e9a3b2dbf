// The tray and window icon, drawn in code (no binary assets to ship or to keep in step with the
// build): a ring crossed by a meridian, teal when all is well, red while criticals are firing.
import { deflateSync } from 'node:zlib';

export type Rgb = readonly [number, number, number];

export const ICON_OK: Rgb = [0x3f, 0xb8, 0xaf];
export const ICON_ALERT: Rgb = [0xe5, 0x48, 0x4d];

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** Encode RGBA pixels (row-major, 4 bytes each) as a PNG. */
export function encodePng(width: number, height: number, rgba: Uint8Array): Buffer {
  if (rgba.length !== width * height * 4) throw new Error('pixel buffer does not match size');
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 4 + 1)] = 0; // filter: none
    Buffer.from(rgba.buffer, rgba.byteOffset + y * width * 4, width * 4).copy(
      raw,
      y * (width * 4 + 1) + 1,
    );
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

/** Coverage 0..1 of a pixel by a band of half-width `half` around distance `d` = 0 (anti-aliased). */
const band = (d: number, half: number) => Math.max(0, Math.min(1, half + 0.5 - Math.abs(d)));

/** The icon as RGBA pixels: a ring, a meridian line and an equator dot. */
export function iconPixels(size: number, color: Rgb): Uint8Array {
  const px = new Uint8Array(size * size * 4);
  const c = (size - 1) / 2;
  const r = size * 0.4;
  const half = Math.max(0.5, size / 24); // half the stroke width
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const dx = x - c;
      const dy = y - c;
      const dist = Math.hypot(dx, dy);
      const ring = band(dist - r, half);
      // The meridian: an ellipse 0.45 times the ring's width; its distance field, roughly in pixels.
      const f = Math.hypot(dx / 0.45, dy) / r - 1;
      const grad = Math.hypot(dx / (0.45 * 0.45), dy) / (Math.hypot(dx / 0.45, dy) || 1) / r;
      const meridian = band(f / (grad || 1), half * 0.8);
      const dot = band(dist - size / 20, size / 20);
      const a = Math.max(ring, meridian, dot);
      const i = (y * size + x) * 4;
      px[i] = color[0];
      px[i + 1] = color[1];
      px[i + 2] = color[2];
      px[i + 3] = Math.round(a * 255);
    }
  }
  return px;
}

export function iconPng(size: number, color: Rgb): Buffer {
  return encodePng(size, size, iconPixels(size, color));
}
