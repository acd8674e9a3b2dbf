// The V8 flags the console process starts with (`npm start`, the desktop package, `npm run
// bench`). V8 sizes its young generation for the allocation rate it sees, up to 16 MB per
// semi-space on 64-bit (about 48 MB reserved with the space objects are promoted through).
// A console ingesting 100k samples/s reaches that cap and keeps it: ~0.8 KB of RSS per active
// series at 100k series that holds no data at all (docs/BENCHMARKS.md, "memory per active
// series", measured both ways). 4 MB semi-spaces cost more frequent, shorter scavenges; the
// ingest and soak figures are measured with the same flags. V8 reads the flag only when the heap
// is created, so it goes on the command line (setFlagsFromString at run time does nothing).
export const CONSOLE_V8_FLAGS = ['--max-semi-space-size=4'];

/** The same flags for Electron, whose main process takes V8 flags only through --js-flags. */
export const ELECTRON_JS_FLAGS = `--js-flags=${CONSOLE_V8_FLAGS.join(' ')}`;
