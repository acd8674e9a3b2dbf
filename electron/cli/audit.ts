// `meridian audit verify [--data-dir DIR]`: the audit trail's hash chain checked end to end,
// hashed in worker threads over ranges of the file (verify-parallel.ts), against the
// audit.head checkpoint. Exit 0
// when it holds, 1 when it is broken, 2 for bad usage. docs/security.md#audit-trail.
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { readCheckpoint } from '../core/audit/audit-files.js';
import { AUDIT_FILE, AUDIT_HEAD_FILE } from '../core/audit/chain-format.js';
import { describeBreak } from '../core/audit/start-check.js';
import { verifyChainParallel } from '../core/audit/verify-parallel.js';
import { systemClock } from '../core/clock.js';
import { defaultDataDir } from '../core/config.js';
import { parse, UsageError } from './args.js';
import { AUDIT } from './one-shot-specs.js';

export async function auditCommand(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === '--help' || sub === '-h') parse(AUDIT, ['--help']);
  if (sub !== 'verify')
    throw new UsageError(
      `meridian audit: ${sub === undefined ? 'missing subcommand' : `unknown subcommand '${sub}'`}; usage: meridian audit verify [--data-dir DIR]`,
    );
  const flags = parse(AUDIT, rest);
  const dir = resolve(flags['data-dir'] ?? env.MERIDIAN_DATA_DIR ?? defaultDataDir());
  const path = join(dir, AUDIT_FILE);
  try {
    await stat(path);
  } catch {
    throw new UsageError(`meridian audit verify: --data-dir ${dir} holds no ${AUDIT_FILE}`);
  }
  const checkpoint = await readCheckpoint(join(dir, AUDIT_HEAD_FILE));
  const r = await verifyChainParallel(path, { clock: systemClock, checkpoint });
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(r)}\n`);
    return r.ok ? 0 : 1;
  }
  const where = `${path}: ${r.records} records`;
  if (r.ok) {
    process.stdout.write(
      `ok ${where}, head seq ${r.head.seq} ${r.head.hash}${checkpoint ? `, checkpoint seq ${checkpoint.seq} matches` : ', no checkpoint (audit.head) to compare'} (${r.durationMs} ms)\n`,
    );
    return 0;
  }
  if (r.firstBreak)
    process.stdout.write(`BROKEN ${where}\n  first break: ${describeBreak(r.firstBreak)}\n`);
  else process.stdout.write(`BROKEN ${where}\n`);
  if (r.recordedBreaks > 0)
    process.stdout.write(
      `  ${r.recordedBreaks} break(s) were found and recorded by the console (audit.segment records); the chain continues after them\n`,
    );
  process.stdout.write(`  head seq ${r.head.seq} ${r.head.hash}\n`);
  return 1;
}
