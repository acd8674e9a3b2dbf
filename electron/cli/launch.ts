// What `meridian serve` and the desktop app share when they start a console: where the built
// renderer is, the banner they print, and the local agent for this machine.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { HostAgent } from '../../agent/agent.js';
import { EventReporter } from '../../agent/uplink-events.js';
import { systemClock } from '../../shared/clock.js';
import { DEFAULT_REGIONS } from '../../shared/regions.js';
import type { IngestTls } from '../core/config.js';
import type { CoreAddresses } from '../core/core.js';
import { UsageError } from './args.js';
import { AGENT_TOKEN_FILE } from '../core/ingest/tokens.js';
import { packageRoot, VERSION } from '../core/version.js';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

/** <data-dir>/local-agent: the key of the console's own agent (`--with-agent`). */
export const LOCAL_AGENT_DIR = 'local-agent';

/** `--ingest-tls auto|off|CERT,KEY`. */
export function ingestTlsFlag(raw: string | undefined): IngestTls | undefined {
  if (raw === undefined) return undefined;
  if (raw === 'auto' || raw === 'off') return raw;
  const [cert, key, ...rest] = raw.split(',');
  if (!cert || !key || rest.length > 0)
    throw new UsageError(
      `meridian serve: --ingest-tls must be auto, off or CERT,KEY (two PEM files; got '${raw}')`,
    );
  return { cert: resolve(cert), key: resolve(key) };
}

/** The built renderer (dist/renderer), or null for the core's placeholder page. */
export function builtRendererDir(root = packageRoot()): string | null {
  const dir = join(root, 'dist', 'renderer');
  return existsSync(join(dir, 'index.html')) ? dir : null;
}

/** Where the agent token came from, so the banner points at the right place. */
export type AgentTokenSource = 'flag' | 'env' | 'file';

/** The same precedence as the core's: a non-empty flag, else a non-empty env var, else the file. */
export function agentTokenSource(
  flag: string | undefined,
  env: NodeJS.ProcessEnv,
): AgentTokenSource {
  if (flag) return 'flag';
  return env.MERIDIAN_AGENT_TOKEN ? 'env' : 'file';
}

export interface Banner {
  title: string;
  /** How a person reaches the console (a URL with its token, or the window). */
  consoleLine: string;
  addr: CoreAddresses;
  dataDir: string;
  agentToken: string;
  agentTokenSource: AgentTokenSource;
  ingestHost: string;
  /** The ingest CA's fingerprint when ingest serves TLS. */
  caFingerprint?: string | null;
}

function tokenOrigin(b: Banner): string {
  if (b.agentTokenSource === 'flag') return 'enrolment secret from --agent-token';
  if (b.agentTokenSource === 'env') return 'enrolment secret from MERIDIAN_AGENT_TOKEN';
  return `enrolment secret in ${join(b.dataDir, AGENT_TOKEN_FILE)}`;
}

/** The command that connects an agent, as the banner and the UI show it. */
export function connectCommand(
  ingestUrl: string,
  secret: string,
  caFingerprint: string | null | undefined,
  region = 'us-east-1',
): string {
  const pin = caFingerprint ? ` --ca-fingerprint ${caFingerprint}` : '';
  return `meridian agent --url ${ingestUrl}${pin} --token ${secret} --region ${region}`;
}

export function bannerLines(b: Banner): string[] {
  return [
    b.title,
    `  console  ${b.consoleLine}`,
    `  ingest   ${b.addr.ingestUrl}   (${tokenOrigin(b)})`,
    ...(b.caFingerprint
      ? [`  tls      CA ${b.caFingerprint} (${join(b.dataDir, 'tls', 'ca.pem')} unless your own)`]
      : []),
    `  data     ${b.dataDir}`,
    ...(LOOPBACK.has(b.ingestHost) || b.caFingerprint
      ? []
      : [
          `  note     ingest listens on ${b.ingestHost} without TLS (--insecure-ingest): traffic is not encrypted.`,
        ]),
    `  connect an agent:  ${connectCommand(b.addr.ingestUrl, b.agentToken, b.caFingerprint)}`,
  ];
}

/** Where this machine's agent connects: loopback when ingest binds every address, else its address. */
export function localAgentUrl(addr: CoreAddresses, ingestHost: string): string {
  const scheme = addr.ingestUrl.startsWith('wss:') ? 'wss' : 'ws';
  return ingestHost === '0.0.0.0' || ingestHost === '::'
    ? `${scheme}://127.0.0.1:${addr.ingestPort}`
    : addr.ingestUrl;
}

/** A real agent for this machine, reporting to the console just started. */
export async function startLocalAgent(opts: {
  addr: CoreAddresses;
  ingestHost: string;
  token: string;
  /** Pins the console's CA (wss://); the agent's key is kept in `stateDir`. */
  caFingerprint?: string | null;
  /** Where its key lives across launches (without one, a relaunch could not reconnect it). */
  stateDir: string;
  region?: string;
  out: (line: string) => void;
}): Promise<HostAgent> {
  // systeminformation is large: load it only when the console runs its own agent.
  const { HostAgent } = await import('../../agent/agent.js');
  const agent = new HostAgent({
    url: localAgentUrl(opts.addr, opts.ingestHost),
    token: opts.token,
    ...(opts.caFingerprint ? { caFingerprint: opts.caFingerprint } : {}),
    stateDir: opts.stateDir,
    region: opts.region ?? DEFAULT_REGIONS[0]!.id,
    agentType: 'system',
    version: VERSION,
    clock: systemClock,
    log: (line) => opts.out(`  agent    ${line}`),
    onEvent: (e) => reporter.report(e),
    onFatal: () => {},
  });
  const reporter = new EventReporter(systemClock.now, (line, e) =>
    opts.out(`  agent    ${e.type === 'fatal' ? `stopped: ${line.text}` : line.text}`),
  );
  agent.start();
  return agent;
}
