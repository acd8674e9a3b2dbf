// The enrolment secret: the old shared agent token, now only what an agent without a key of
// its own presents once to obtain one. Kept in <data-dir>/agent-token (0600) as before, so a
// console upgraded in place keeps accepting its fleet. Rotating it replaces the file
// atomically; keys already issued are untouched.
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AGENT_TOKEN_FILE, newToken, tokensEqual } from '../ingest/tokens.js';
import { syncDir } from '../state/durable-file.js';

export class EnrolmentSecret {
  constructor(
    private current: string,
    private readonly dataDir: string,
    /** Set by --agent-token / MERIDIAN_AGENT_TOKEN: a rotation would not outlive a restart. */
    readonly fixedBy: string | null = null,
  ) {}

  get value(): string {
    return this.current;
  }

  matches(token: string): boolean {
    return tokensEqual(token, this.current);
  }

  /** A new secret, durable in <data-dir>/agent-token before it is used. */
  async rotate(): Promise<string> {
    if (this.fixedBy)
      throw new Error(`the enrolment secret is set by ${this.fixedBy}; change it there instead`);
    const next = newToken();
    const path = join(this.dataDir, AGENT_TOKEN_FILE);
    const temp = `${path}.tmp`;
    await writeFile(temp, `${next}\n`, { mode: 0o600, flush: true });
    await rename(temp, path);
    await syncDir(this.dataDir);
    this.current = next;
    return next;
  }
}
