// augurs' outlier and changepoint modules, their WASM loaded synchronously once per thread
// (a worker thread has its own WebAssembly instances). The package's exports map has no entry
// for the .wasm files, so they are found next to the resolved JS modules.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as changepoint from '@bsull/augurs/changepoint';
import * as outlier from '@bsull/augurs/outlier';

const dir = () => dirname(createRequire(import.meta.url).resolve('@bsull/augurs/outlier'));
const wasm = (name: string) => ({ module: readFileSync(join(dir(), `${name}_bg.wasm`)) });

let outlierLoaded = false;
let changepointLoaded = false;

export function outlierModule(): typeof outlier {
  if (!outlierLoaded) {
    outlier.initSync(wasm('outlier'));
    outlierLoaded = true;
  }
  return outlier;
}

export function changepointModule(): typeof changepoint {
  if (!changepointLoaded) {
    changepoint.initSync(wasm('changepoint'));
    changepointLoaded = true;
  }
  return changepoint;
}
