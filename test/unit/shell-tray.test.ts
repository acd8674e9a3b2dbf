import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  crc32,
  encodePng,
  ICON_ALERT,
  ICON_OK,
  iconPixels,
  iconPng,
} from '../../electron/shell/icon.js';
import { countFiringCritical, trayText } from '../../electron/shell/tray.js';

describe('countFiringCritical', () => {
  it('counts critical alerts that are firing, not acknowledged ones or warnings', () => {
    expect(
      countFiringCritical([
        { severity: 'critical', state: 'firing' },
        { severity: 'critical', state: 'firing' },
        { severity: 'critical', state: 'acknowledged' },
        { severity: 'critical', state: 'pending' },
        { severity: 'warning', state: 'firing' },
      ]),
    ).toBe(2);
    expect(countFiringCritical([])).toBe(0);
  });
});

describe('trayText', () => {
  it('says all is quiet at zero and clears the badge', () => {
    expect(trayText(0)).toEqual({
      tooltip: 'Meridian — no firing critical alerts',
      badge: '',
      badgeCount: 0,
    });
  });

  it('carries the count in the tooltip and the badge', () => {
    expect(trayText(1)).toEqual({
      tooltip: 'Meridian — 1 firing critical alert',
      badge: '1',
      badgeCount: 1,
    });
    expect(trayText(7).tooltip).toBe('Meridian — 7 firing critical alerts');
    expect(trayText(7).badge).toBe('7');
  });

  it('caps the badge text, never the count', () => {
    expect(trayText(250)).toMatchObject({ badge: '99+', badgeCount: 250 });
    expect(trayText(250).tooltip).toContain('250');
  });

  it('treats nonsense as zero', () => {
    expect(trayText(-3).badgeCount).toBe(0);
    expect(trayText(Number.NaN).badge).toBe('');
  });
});

/** Split a PNG into its chunks, checking each CRC. */
function chunks(png: Buffer): { type: string; data: Buffer }[] {
  expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const out: { type: string; data: Buffer }[] = [];
  let at = 8;
  while (at < png.length) {
    const len = png.readUInt32BE(at);
    const type = png.toString('ascii', at + 4, at + 8);
    const data = png.subarray(at + 8, at + 8 + len);
    expect(png.readUInt32BE(at + 8 + len), `${type} crc`).toBe(
      crc32(png.subarray(at + 4, at + 8 + len)),
    );
    out.push({ type, data });
    at += 12 + len;
  }
  return out;
}

describe('tray icon', () => {
  it('crc32 matches the reference value', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
  });

  it('is a valid RGBA PNG of the asked size whose pixels survive the round trip', () => {
    const png = iconPng(32, ICON_OK);
    const parts = chunks(png);
    expect(parts.map((c) => c.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
    const ihdr = parts[0]!.data;
    expect([ihdr.readUInt32BE(0), ihdr.readUInt32BE(4), ihdr[8], ihdr[9]]).toEqual([32, 32, 8, 6]);
    const raw = inflateSync(parts[1]!.data);
    expect(raw.length).toBe(32 * (32 * 4 + 1));
    const px = iconPixels(32, ICON_OK);
    for (let y = 0; y < 32; y++) {
      expect(raw[y * 129]).toBe(0);
      expect(
        Buffer.compare(
          raw.subarray(y * 129 + 1, (y + 1) * 129),
          Buffer.from(px.subarray(y * 128, (y + 1) * 128)),
        ),
      ).toBe(0);
    }
  });

  it('draws something, in its colour, with transparent corners', () => {
    const px = iconPixels(32, ICON_ALERT);
    const alpha = (x: number, y: number) => px[(y * 32 + x) * 4 + 3]!;
    expect(alpha(0, 0)).toBe(0);
    expect(alpha(31, 31)).toBe(0);
    expect(alpha(16, 16)).toBeGreaterThan(0); // the centre dot
    const opaque = [...Array(32 * 32).keys()].filter((i) => px[i * 4 + 3]! > 128).length;
    expect(opaque).toBeGreaterThan(32 * 32 * 0.1);
    expect(opaque).toBeLessThan(32 * 32 * 0.6);
    expect([px[16 * 128 + 64], px[16 * 128 + 65], px[16 * 128 + 66]]).toEqual([...ICON_ALERT]);
  });

  it('refuses a pixel buffer of the wrong size', () => {
    expect(() => encodePng(2, 2, new Uint8Array(3))).toThrow(/does not match/);
  });
});
