import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const AGENT_TOKEN_FILE = 'agent-token';

export function newToken(): string {
  // base64url may begin with '-', which a command line reads as an option
  // (`meridian agent --token -Xy…` is refused as ambiguous): redraw until it does not.
  for (;;) {
    const token = randomBytes(24).toString('base64url');
    if (!token.startsWith('-')) return token;
  }
}

/** The agent token: the one given, else `<dataDir>/agent-token`, created (mode 0600) on first run. */
export async function loadOrCreateAgentToken(dataDir: string, given?: string): Promise<string> {
  if (given) return given;
  const path = join(dataDir, AGENT_TOKEN_FILE);
  try {
    const existing = (await readFile(path, 'utf8')).trim();
    if (existing) return existing;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await mkdir(dataDir, { recursive: true });
  const token = newToken();
  await writeFile(path, `${token}\n`, { mode: 0o600 });
  return token;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Constant-time comparison; hashing first makes lengths equal, so length leaks nothing either. */
export function tokensEqual(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

/** The token from `Authorization: Bearer <token>`, or null. */
export function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1]! : null;
}

/** Whether a credential presented on the ingest port is an agent's (null: none was sent). */
export type AgentCredentialCheck = (token: string | null) => boolean;

/**
 * The ingest port's one credential check, for WebSocket hellos and remote-write requests
 * alike: today the shared agent token (which is also the enrolment secret, so senders that
 * cannot enrol keep using it); per-agent keys plug in here.
 */
export function agentCredentialCheck(agentToken: string): AgentCredentialCheck {
  return (token) => token !== null && tokensEqual(token, agentToken);
}
