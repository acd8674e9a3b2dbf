// Loads augurs' WASM modules synchronously, once per thread (each worker thread has its own
// WebAssembly instances). The package's exports map has no entry for the .wasm files, so
// they are found next to the resolved JS modules.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { AutoETS, initSync as initEts } from '@bsull/augurs/ets';
import { MSTL, initSync as initMstl } from '@bsull/augurs/mstl';
import { initSync as initSeasons, seasonalities } from '@bsull/augurs/seasons';

let loaded = false;

export function loadAugurs(): void {
  if (loaded) return;
  const dir = dirname(createRequire(import.meta.url).resolve('@bsull/augurs/mstl'));
  const wasm = (name: string) => ({ module: readFileSync(join(dir, `${name}_bg.wasm`)) });
  initMstl(wasm('mstl'));
  initEts(wasm('ets'));
  initSeasons(wasm('seasons'));
  loaded = true;
}

/** augurs' periodogram-based season detector, over periods [min, max] steps. */
export function detectPeriods(y: Float64Array, minPeriod: number, maxPeriod: number): number[] {
  loadAugurs();
  return Array.from(seasonalities(y, { minPeriod, maxPeriod, threshold: undefined }));
}

/** MSTL decomposition with an AutoETS trend: point forecasts only. */
export function mstlEtsForecast(y: Float64Array, periods: number[], h: number): Float64Array {
  loadAugurs();
  const model = MSTL.ets(periods);
  try {
    model.fit(y);
    return Float64Array.from(model.predict(h).point);
  } finally {
    model.free();
  }
}

/** AutoETS over non-seasonal additive/multiplicative error and trend forms. */
export function autoEtsForecast(y: Float64Array, h: number): Float64Array {
  loadAugurs();
  const model = new AutoETS(1, 'ZZN');
  try {
    model.fit(y);
    return Float64Array.from(model.predict(h).point);
  } finally {
    model.free();
  }
}
